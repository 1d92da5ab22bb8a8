# Set-up, lint, docs and tests. `make demo` and `make test` are the README's Development commands;
# CI runs `make test` (through .ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `cargo test` links libpython; the test binary needs to find it at run time.
PYLIBDIR = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')

# The browser test drives Debian's Chromium through Playwright (Playwright's own browser download
# cannot be used): install it when missing, with sudo unless we are root.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# The JupyterLab extension (labextension/): built with npm and the venv's jupyter-builder into
# wheel-data, where the wheel and the editable install take it from. Maturin runs no npm, and
# `pip install .` from a clone must carry the extension: so its build is committed, and lint
# checks that it is the build of the current sources (labextension/stamp.sh says why that way).
LAB := labextension
LAB_OUT := wheel-data/data/share/jupyter/labextensions/sparkconnect-lab
LAB_NPM := $(LAB)/node_modules/.package-lock.json

.PHONY: install browser demo docs lint lint-lab lint-rust lint-python lint-types check test test-rust test-python test-fast test-matrix bench bench-quick wheel clean labextension

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the package sources changed.
# The built lab extension too: the editable install copies wheel-data into the venv.
$(VENV)/.installed: $(PY) pyproject.toml Cargo.toml $(wildcard src/*.rs src/*/*.rs) $(wildcard python/sparkconnect/* python/sparkconnect/*/*) $(wildcard wheel-data/data/etc/jupyter/*/*) $(wildcard wheel-data/purelib/*) $(wildcard $(LAB_OUT)/* $(LAB_OUT)/static/*)
	$(PY) -m pip install --quiet -e ".[test,bench,docs]"
	touch $@

install: $(VENV)/.installed

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y chromium

browser: $(CHROMIUM)

# npm writes node_modules/.package-lock.json on every install: older than the lockfile means
# the lockfile changed since.
$(LAB_NPM): $(LAB)/package-lock.json
	cd $(LAB) && npm ci --no-audit --no-fund
	touch $@

labextension: $(LAB_NPM) install
	cd $(LAB) && node_modules/.bin/tsc
	$(VENV)/bin/jupyter-builder build $(LAB)
	$(LAB)/stamp.sh write
	@# The venv's copy (share/jupyter/labextensions) comes from the editable install.
	$(MAKE) install

demo: install
	$(PY) examples/run_notebook.py examples/quickstart.ipynb
	$(PY) examples/run_notebook.py --ext sparkconnect examples/classic_pyspark.ipynb
	@# spark.stop() ends the notebook's session, never the shared server: stop it here.
	$(VENV)/bin/sparkconnect stop

# Lint in four independent parts, so `make -j` runs them side by side (`check`, `test`).
lint: lint-lab lint-rust lint-python lint-types

lint-lab: $(LAB_NPM)
	cd $(LAB) && node_modules/.bin/tsc --noEmit
	$(LAB)/stamp.sh check

# `+`: cargo joins make's jobserver (under `make -j` it shares make's job slots, and does not
# warn that it cannot open the jobserver's descriptors).
lint-rust:
	cargo fmt --check
	+cargo clippy --all-targets -- -D warnings

# lint-imports checks the layer contracts of pyproject.toml; without a cache, as a cache would be one
# more directory in the checkout and the graph takes about a second to build.
lint-python: install
	$(VENV)/bin/ruff check python tests examples bench drive docs/hooks matrix wheel-data/purelib
	$(VENV)/bin/ruff format --check python tests examples bench drive docs/hooks matrix wheel-data/purelib
	$(VENV)/bin/lint-imports --no-cache --no-logo

lint-types: install
	$(VENV)/bin/mypy
	$(PY) -m mypy.stubtest sparkconnect._core

test-rust: $(PY)
	+LD_LIBRARY_PATH=$(PYLIBDIR) cargo test --quiet

# The documentation site (mkdocs.yml, docs/) into site/. Strict: a broken link or anchor, or a
# page missing from the nav, fails the build; so does a missing bench/results/latest.* (the
# benchmarks page is filled from them by docs/hooks/benchmarks.py).
# Not --quiet: it hides warnings from strict mode's count too (mkdocs/mkdocs#4126), so a broken
# link would pass. NO_MKDOCS_2_WARNING silences the theme's banner about its own future.
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Two workers, each taking whole files (their module-scoped servers stay shared): a test spends
# much of its time waiting for a JVM, a kernel or a page, which the other worker's test fills.
# The slowest tests are listed at the end: where the suite's time goes, in every CI log.
test-python: install browser
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=15

# Every test that starts neither a Spark server nor a browser (the `jvm` and `browser` markers).
test-fast: install
	$(VENV)/bin/pytest -m "not jvm and not browser" -n 2 -q

# The loop between edits: lint and the JVM-free tests side by side, in about a minute.
check: install
	$(MAKE) --no-print-directory -j 4 --output-sync=target lint test-fast

# The wheel users of a shared Jupyter install without a Rust toolchain: abi3 (one wheel for
# CPython 3.11 and newer) and manylinux, tagged with the oldest glibc its symbols allow (maturin
# checks them; auditwheel shows what it found). Built in its own target directory: sharing the
# editable install's would make each of the two builds redo the other's pyo3.
wheel: install
	rm -f dist/sparkconnect-*.whl
	$(VENV)/bin/maturin build --release --out dist --target-dir target/wheel
	$(VENV)/bin/auditwheel show dist/sparkconnect-*.whl

# The compatibility subset (tests marked `compat`) on the newest patch release of every supported
# pyspark series, each in its own environment under .matrix/ with this wheel; writes
# docs/pyspark-releases.md. Not part of `make test`: the first run downloads and builds four
# pyspark releases, and each takes minutes.
test-matrix: wheel
	$(PY) -m matrix

# Figures against their baselines, written to bench/results/ (docs/benchmarks.md is built from them).
bench: install
	$(PY) -m bench.run

# One quick pass that proves the harness works; CI runs it and asserts nothing about times.
bench-quick: install
	$(PY) -m bench.run --quick

test: install
	$(MAKE) --no-print-directory -j 3 --output-sync=target lint test-rust docs
	$(MAKE) --no-print-directory test-python bench-quick

clean:
	rm -rf $(VENV) target site
