PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install bench docs forecast-results clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@ $(STAMP)

install: $(STAMP)

## make run: simulate every system (summary table + gallery.png), then build the quick dataset
run: $(STAMP)
	$(BIN)/chaoszoo run --out gallery.png
	$(BIN)/chaoszoo dataset build --preset quick --out data/quick
	$(BIN)/chaoszoo dataset info data/quick

## make test: the whole test suite (the slow, catalog-wide tests included)
test: $(TEST_STAMP)
	sh tools/ensure_browser.sh
	$(BIN)/python -m pytest -n auto --dist loadgroup -q --durations=15 -m "not signals"
	# Ctrl-C tests time an interrupt: run them alone, not beside the parallel suite's load
	$(BIN)/python -m pytest -p no:xdist -q -m signals

## make docs: the documentation site in docs/_build/html (warnings are errors)
docs: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[docs]"
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/bench_engine.py

## make forecast-results: run the plan (tools/forecast_plan.json) into results/, resuming from the shipped
## tables of the current protocols (hours), ship them, and rewrite their reports, the generated blocks of the
## README and docs, and the reproduction table
forecast-results: $(TEST_STAMP)
	$(BIN)/python tools/regenerate_forecast_results.py --restore $(PROTOCOLS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info docs/_build
