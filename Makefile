# curate: the table of contents of the workflow.
#   make all    set up .venv when needed, then build raw/ into processed/
#   make test   the test suite (make lint, then pytest)
#   make lint   ruff check, ruff format --check, mypy pipeline
#   make bench  the benchmarks (ratios against anchors measured in the same run)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    ?= raw
OUT    ?= processed

# Reproducible build time for manifest.json: the last commit that touched raw/.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct -- $(RAW) 2>/dev/null | grep . || echo 0)
export SOURCE_DATE_EPOCH

.PHONY: all build setup test lint bench clean-env

all: build

setup: $(STAMP)

# constraints.txt pins every installed package to the versions that built the committed
# processed/ (tests/test_build.py checks it byte for byte). To refresh it after changing
# a dependency: install into .venv, check the seeds, then
#   .venv/bin/pip freeze --exclude-editable > constraints.txt
# (curate itself is installed editable, so it is not listed).
PIP_INSTALL := $(BIN)/python -m pip install --quiet -c constraints.txt

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# CPU build of torch first (pip finds it locally); otherwise a dependency pulls CUDA.
	$(PIP_INSTALL) torch==2.13.0
	$(PIP_INSTALL) -e '.[dev]'
	@touch $(STAMP)

# The benchmarks' own packages (the `bench` extra), installed only for `make bench`.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(PIP_INSTALL) -e '.[dev,bench]'
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
BROWSER := $(VENV)/.browser
$(BROWSER):
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; } \
		|| echo "curate: chromium could not be installed; the browser tests will skip"
	@touch $@

# ruff (lint rules and formatting) on all Python code; mypy on pipeline/ ([tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks
	$(BIN)/mypy pipeline

test: $(STAMP) $(BROWSER) lint
	$(BIN)/python -m pytest

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_extraction.py
	$(BIN)/python benchmarks/bench_dedup.py --fresh-memory
	$(BIN)/python benchmarks/bench_align.py
	$(BIN)/python benchmarks/bench_claims.py --curve --unrelated 150
	$(BIN)/python benchmarks/bench_scale.py --sizes $${SCALE_SIZES:-1000}

clean-env:
	rm -rf $(VENV)
