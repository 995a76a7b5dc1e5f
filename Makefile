# harmonizer: every target sets up what it needs (a venv in .venv from pyproject.toml).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: help install demo test lint typecheck unit check-generated bench bench-aggregate screenshot fuzz dist clean

help:
	@echo "make demo   - set up and harmonise every bundled example export"
	@echo "make test   - lint, type-check, generated-file drift check and the test suite"
	@echo "make bench  - measure rows/s (--jobs 1 and every core) and peak memory on a generated 1,000,000-row csv, a 200,000-row xlsx and 5,000 rows of 20,000-character answers"
	@echo "make screenshot - run the demo and take headless-chromium screenshots of its html report"
	@echo "make fuzz   - fuzz the readers with many damaged files (FUZZ_EXAMPLES=2000 each)"
	@echo "make dist   - build the wheel and the sdist of palaute-harmonizer into dist/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# Before 0.1.0 was released the distribution was called harmonizer: drop such an install.
	$(BIN)/python -m pip uninstall --quiet --yes harmonizer 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py --output $(OUT)/demo

lint: $(STAMP)
	$(BIN)/ruff check harmonizer tests tools bench
	$(BIN)/ruff format --check harmonizer tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy

check-generated: $(STAMP)
	$(BIN)/python tools/generate.py --check

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n auto --cov --cov-report=term:skip-covered

test: lint typecheck check-generated unit

bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_aggregate.py
	$(BIN)/python bench/bench_duplicates.py
	$(BIN)/python bench/draft_quality.py

bench-aggregate: $(STAMP)
	$(BIN)/python bench/bench_aggregate.py

# Needs Debian's chromium (apt-get install -y chromium); the test suite does not.
# Writes report.png (the top) and report-<section>.png for the service path, the three
# perspectives and the purchaser's view.
screenshot: demo
	$(BIN)/python tools/screenshot.py $(OUT)/demo/_dataset/report.html --output $(OUT)

FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	HARMONIZER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/fuzz

# The wheel (with the national schemas inside) and the sdist, named palaute-harmonizer.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m hatchling build -d dist -t wheel -t sdist
	@ls dist

clean:
	rm -rf $(VENV) $(OUT) bench/data dist .pytest_cache .mypy_cache .ruff_cache
