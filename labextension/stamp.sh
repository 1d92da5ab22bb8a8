#!/bin/sh
# The committed build of the lab extension against its sources, without rebuilding: a rebuild is
# byte-for-byte the same only in the same checkout path (the bundler names one module after its
# absolute path), so a fresh rebuild cannot be compared with the committed one. Instead
# `make labextension` records a digest of every input of the build and one of its output, and
# `make lint` recomputes both.
#
#   stamp.sh write   after a build
#   stamp.sh check   fails, saying what to run, when a source or the output changed since
set -eu
cd "$(dirname "$0")/.."
STAMP=labextension/build.sha256
OUT=wheel-data/data/share/jupyter/labextensions/sparkconnect-lab

digest() {
    LC_ALL=C sort | while read -r file; do sha256sum "$file"; done | sha256sum | cut -d' ' -f1
}

sources() {
    {
        echo labextension/package.json
        echo labextension/package-lock.json
        echo labextension/tsconfig.json
        find labextension/src labextension/style -type f
        echo python/sparkconnect/notebook/panel/panel.js
        echo python/sparkconnect/notebook/panel/panel.css
    } | digest
}

output() {
    find "$OUT" -type f ! -name install.json | digest
}

now="sources $(sources)
output $(output)"
case "${1:-}" in
write)
    printf '%s\n' "$now" >"$STAMP"
    ;;
check)
    if [ "$now" != "$(cat "$STAMP" 2>/dev/null)" ]; then
        echo "$OUT is not the build of the current sources (labextension/, panel.js, panel.css):" >&2
        echo "run \`make labextension\` and commit its output with $STAMP" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $0 write|check" >&2
    exit 2
    ;;
esac
