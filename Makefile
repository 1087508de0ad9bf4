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

demo: $(STAMP)
	$(BIN)/cxpolicy check policies
	$(BIN)/cxpolicy report ownership policies --format html --output build/report.html
	@echo "Browser report: $(CURDIR)/build/report.html"

test: $(STAMP)
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
