# Two commands do all the set-up: `make demo` and `make test`. Each creates the
# virtual environment in .venv on first use, so they work from a clean clone in
# either order.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench schemas docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# The page shows a year of history: benchmarks/history_example.py commits the example, month by month,
# to a git repository of its own in build/history-example (the last commit is policies/ as it is).
demo: $(STAMP)
	$(BIN)/cxpolicy check policies
	$(BIN)/cxpolicy measure policies --as-of 2026-12-01 --exit-zero
	rm -rf build/history-example
	$(BIN)/python benchmarks/history_example.py build/history-example >/dev/null
	$(BIN)/cxpolicy report history build/history-example/policies --width 160
	$(BIN)/cxpolicy report ownership build/history-example/policies --format html --history 12 --output build/report.html
	@echo "Browser report: $(CURDIR)/build/report.html"

# The npm tools the conformance tests drive (SARIF Multitool, Nu HTML Checker, axe-core, and for the
# editor schema yaml-language-server and ajv), installed
# when npm is there; without npm those tests skip (and fail under CI, whose .ci/run brings npm).
TOOLS := build/test-tools
NPM_TOOLS := @microsoft/sarif-multitool@5.7.0 vnu-jar@26.9.27 axe-core@4.14.1 \
	yaml-language-server@1.25.0 ajv@8.20.0 ajv-formats@3.0.1

$(TOOLS)/.installed: Makefile
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(TOOLS) $(NPM_TOOLS) && \
		chmod u+x $(TOOLS)/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool && touch $@; \
	else echo "npm not found: the conformance tests that need its tools will skip"; fi

test: $(STAMP) $(TOOLS)/.installed
	$(BIN)/python -m pytest

# Times cxpolicy against the parsing floor and its peers at 1k, 10k and 100k
# touchpoints, and rewrites docs/performance.md (several minutes).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python benchmarks/run.py

schemas: $(STAMP)
	$(BIN)/cxpolicy schema --write

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
