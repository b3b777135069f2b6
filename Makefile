# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   - set up, then run the whole pipeline on the sample scans in data/raw/
#   make test   - set up, then run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs docs-check bench bench-ocr bench-names bench-run setup system-deps samples clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,docs]'
	touch $(STAMP)

system-deps:
	@sh tools/install_system_deps.sh

setup: system-deps $(STAMP)

demo: setup
	$(BIN)/bureau run
	@echo
	@echo "Tables are in data/extracted/tables/ (CSV for Excel, Parquet for pandas/DuckDB)."
	@echo "See what was done: $(BIN)/bureau status"

test: setup
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

# The documentation site (docs/, mkdocs.yml) into site/; --strict makes a broken link an error.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The documentation checks alone: coverage and every example re-run (tests/test_docs.py), then the site.
docs-check: setup docs
	$(BIN)/python -m pytest tests/test_docs.py

bench: bench-run bench-ocr bench-names

bench-ocr: setup
	$(BIN)/python bench/bench_ocr.py

bench-names: $(STAMP)
	$(BIN)/python bench/bench_names.py --synthetic 100000

bench-run: $(STAMP)
	$(BIN)/python bench/bench_run.py

samples: $(STAMP)
	$(BIN)/python tools/make_samples.py

clean:
	rm -rf site data/extracted/catalog.sqlite* data/extracted/ocr data/extracted/tables data/extracted/report.html
