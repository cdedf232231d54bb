# The README's two commands: `make run` starts the app, `make test` runs the whole suite.
# Both set up .venv on first use (torch's CPU build first, then the project) and the system
# packages Qt needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-core test-ui bench lint venv sysdeps sysdeps-test clean dist dist-test tour

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# A known-good CPU build; a bare `torch` would pull a multi-GB CUDA build on Linux.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

venv: $(STAMP)

sysdeps:
	sh packaging/system-deps.sh

sysdeps-test:
	sh packaging/system-deps.sh --test

run: $(STAMP) sysdeps
	$(BIN)/gradviz

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Qt-free tests run in their own process: pytest-qt would import Qt at start-up.
test-core: $(STAMP)
	$(BIN)/python -m pytest -q --durations=5 -p no:pytest-qt -p no:xvfb -W ignore::pytest.PytestConfigWarning tests/core $(wildcard tests/graph)

# Widget and OpenGL tests run under a virtual X server (pytest-xvfb starts it).
test-ui: $(STAMP) sysdeps-test
	$(BIN)/python -m pytest -q --durations=10 tests/ui tests/gl

test: lint test-core test-ui

# The frozen app is timed too when `make dist` has left a build in dist/.
# More flags through BENCH_ARGS, e.g. `make bench BENCH_ARGS="--only training"`.
bench: $(STAMP) sysdeps-test
	xvfb-run -a -s "-screen 0 1920x1080x24" $(BIN)/python benchmarks/run.py \
		$(if $(wildcard dist/gradviz-*-linux-x86_64/gradviz),--frozen dist) $(BENCH_ARGS)

# The frozen app (PyInstaller onedir) as dist/gradviz-VERSION-linux-x86_64.tar.gz, built in its
# own venv (build/venv); then the smoke test of that tarball on a clean environment under Xvfb.
dist:
	sh packaging/build.sh

dist-test: dist
	sh packaging/smoke_test.sh

# Rewrite the bundled lesson from real model states (after a panel or a sub-model's format changes).
tour: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_tour.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis
