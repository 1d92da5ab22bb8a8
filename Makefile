# Set-up, lint and tests. `make demo` and `make test` are the README's two Quickstart commands;
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

.PHONY: install browser demo lint test test-rust test-python bench bench-quick wheel clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the package sources changed.
$(VENV)/.installed: $(PY) pyproject.toml Cargo.toml $(wildcard src/*.rs src/*/*.rs) $(wildcard python/sparkconnect/* python/sparkconnect/*/*) $(wildcard wheel-data/data/etc/jupyter/*/*)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y chromium

browser: $(CHROMIUM)

demo: install
	$(PY) examples/run_notebook.py examples/quickstart.ipynb
	$(PY) examples/run_notebook.py --ext sparkconnect examples/classic_pyspark.ipynb
	@# spark.stop() ends the notebook's session, never the shared server: stop it here.
	$(VENV)/bin/sparkconnect stop

# lint-imports checks the layer contracts of pyproject.toml; without a cache, as a cache would be one
# more directory in the checkout and the graph takes about a second to build.
lint: install
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	$(VENV)/bin/ruff check python tests examples bench
	$(VENV)/bin/ruff format --check python tests examples bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) -m mypy.stubtest sparkconnect._core

test-rust: $(PY)
	LD_LIBRARY_PATH=$(PYLIBDIR) cargo test --quiet

# The slowest tests listed at the end: where the suite's time goes, in every CI log.
test-python: install browser
	$(VENV)/bin/pytest --durations=15

# The wheel users of a shared Jupyter install without a Rust toolchain: abi3 (one wheel for
# CPython 3.11 and newer) and manylinux, tagged with the oldest glibc its symbols allow (maturin
# checks them; auditwheel shows what it found). Built in its own target directory: sharing the
# editable install's would make each of the two builds redo the other's pyo3.
wheel: install
	rm -f dist/sparkconnect-*.whl
	$(VENV)/bin/maturin build --release --out dist --target-dir target/wheel
	$(VENV)/bin/auditwheel show dist/sparkconnect-*.whl

# Figures against their baselines, written to bench/results/ (see the README's Speed section).
bench: install
	$(PY) -m bench.run

# One quick pass that proves the harness works; CI runs it and asserts nothing about times.
bench-quick: install
	$(PY) -m bench.run --quick

test: lint test-rust test-python bench-quick

clean:
	rm -rf $(VENV) target
