# curate: the table of contents of the workflow.
#   make all    set up .venv when needed, then build raw/ into processed/
#   make test   the test suite (make lint, then pytest)
#   make lint   ruff check, ruff format --check, mypy pipeline
#   make bench  the benchmarks (ratios against anchors measured in the same run)
#   make block-model  refit the learned block model on WCXB dev (~20 min, CV by site)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    ?= raw
OUT    ?= processed

# Reproducible build time for manifest.json: the last commit that touched raw/.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct -- $(RAW) 2>/dev/null | grep . || echo 0)
export SOURCE_DATE_EPOCH

.PHONY: all build setup test lint bench block-model clean-env

all: build

setup: $(STAMP)

# constraints.txt pins every installed package to the versions that built the committed
# processed/ (tests/test_build.py checks it byte for byte). To refresh it after changing
# a dependency: install into .venv, check the seeds, then
#   .venv/bin/pip freeze --exclude-editable > constraints.txt
# (curate itself is installed editable, so it is not listed).
# pip's -qq prints errors only (one -q still prints every warning); each step says one line.
PIP := $(BIN)/python -m pip --quiet --quiet --disable-pip-version-check
PIP_INSTALL := $(PIP) install -c constraints.txt

# The CPU build of torch goes first (pip finds it locally); otherwise a dependency pulls CUDA.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "curate: creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "curate: installing pip, torch (CPU) and curate's dependencies (constraints.txt) into $(VENV)"
	@$(PIP) install --upgrade pip
	@$(PIP_INSTALL) torch==2.13.0
	@$(PIP_INSTALL) -e '.[dev]'
	@HF_HUB_OFFLINE=1 $(BIN)/python -c 'from pipeline.align.onnx_minilm import main; main()'
	@touch $(STAMP)

# The benchmarks' own packages (the `bench` extra), installed only for `make bench`.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	@echo "curate: installing the benchmarks' packages (the bench extra) into $(VENV)"
	@$(PIP_INSTALL) -e '.[dev,bench]'
	@touch $@

# Rebuild only when raw/, the code, the settings or the pinned versions changed since the
# last build (a digest of them is kept in .venv; file names with spaces are fine).
DIGEST = find $(RAW) pipeline pyproject.toml constraints.txt -type f -not -path '*/__pycache__/*' -print0 \
	| sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1

build: $(STAMP)
	@digest=$$($(DIGEST)); \
	if [ -f $(OUT)/manifest.json ] && [ "$$(cat $(VENV)/.built 2>/dev/null)" = "$$digest $(OUT)" ]; then \
		echo "curate: $(OUT) is up to date with $(RAW) and the code"; \
	else \
		$(BIN)/curate build --raw $(RAW) --out $(OUT) --prune-cache && echo "$$digest $(OUT)" > $(VENV)/.built; \
	fi

# Headless Chromium (Debian's package) for the report browser tests; they skip without it.
# make test says before it runs apt-get, and why the tests will skip when it cannot; the
# stamp is written only once Chromium is there, so a later make test tries again.
BROWSER := $(VENV)/.browser
CHROMIUM_NAMES ?= chromium chromium-browser
SKIP_BROWSER := the report browser tests will skip (tests/test_report_browser.py)
$(BROWSER):
	@if for name in $(CHROMIUM_NAMES); do command -v $$name && break; done >/dev/null; then \
		touch $@; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "curate: Chromium is not installed and apt-get needs root to install it; $(SKIP_BROWSER)"; \
	elif ! command -v apt-get >/dev/null; then \
		echo "curate: Chromium is not installed and there is no apt-get to install it; $(SKIP_BROWSER)"; \
	else \
		echo "curate: installing Chromium with apt-get (for the report browser tests)"; \
		if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
		then touch $@; else echo "curate: apt-get could not install Chromium; $(SKIP_BROWSER)"; fi; \
	fi

# ruff (lint rules and formatting) on all Python code; mypy on pipeline/ ([tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks
	$(BIN)/mypy pipeline

test: $(STAMP) $(BROWSER) lint
	$(BIN)/python -m pytest

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_extraction.py --rules-alone
	$(BIN)/python benchmarks/bench_dedup.py --fresh-memory
	$(BIN)/python benchmarks/bench_align.py
	$(BIN)/python benchmarks/bench_claims.py --curve --unrelated 150
	$(BIN)/python benchmarks/bench_scale.py --wcxb 100 --no-rebuild --no-dask
	$(BIN)/python benchmarks/bench_scale.py --sizes $${SCALE_SIZES:-1000} --engines dask:1 dask:2

# Cross-validates by site with the real stage, then rewrites pipeline/data/block_model.npz
# (its cuts must then be the defaults of clean.block_model_cut_below / _add_above).
block-model: $(BENCH_STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/train_block_model.py --penalty 0.3

clean-env:
	rm -rf $(VENV)
