# Two commands do all the set-up: `make demo` and `make test`. Each creates the
# virtual environment in .venv on first use, so they work from a clean clone in
# either order.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test schemas docs clean

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

schemas: $(STAMP)
	$(BIN)/cxpolicy schema --write

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
