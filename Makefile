# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help venv book preview data system-deps lint test test-fast bench validate lock citation clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@echo "Setting up $(VENV) from requirements.lock ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP) ## Create the virtual environment from the lock file (if needed)

data: $(STAMP) ## Generate the embedded synthetic survey (if missing or stale)
	$(BIN)/python -m lederuddannelse data ensure

book: $(STAMP) ## Build the whole book into _build/html (executes changed chapters only)
	$(BIN)/python -m lederuddannelse build --jobs $(JOBS)

PORT ?= 8000
preview: $(STAMP) ## Build, serve on http://127.0.0.1:$(PORT)/, rebuild on every edit (Ctrl-C stops)
	$(BIN)/python -m lederuddannelse preview --port $(PORT) --jobs $(JOBS)

system-deps: ## Install the Debian packages the tests use (R survey + MASS, Chromium) if missing
	@if command -v chromium >/dev/null && command -v Rscript >/dev/null \
	    && Rscript -e 'library(survey); library(MASS)' >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian packages: r-cran-survey r-cran-mass chromium ..."; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq \
	  && apt-get install -y -qq --no-install-recommends r-cran-survey r-cran-mass chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "Note: R (survey, MASS) or Chromium is missing and cannot be installed here (needs root and apt-get):"; \
	  echo "      the R comparison then uses the committed fixture and the browser test is skipped."; \
	fi

lint: $(STAMP) ## Check style: ruff lint and format check on src and tests (config in pyproject.toml)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

test: $(STAMP) system-deps ## Run lint, then all tests (installs R and Chromium if missing; builds the book twice)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## Run the tests that need neither a book build, a browser nor R
	$(BIN)/python -m pytest -m "not book and not browser and not r"

bench: $(STAMP) ## Benchmarks: print build, data and statistics timings
	$(BIN)/python -m lederuddannelse.dev.bench

validate: $(STAMP) ## Simulation study: bias and CI coverage over repeated samples
	$(BIN)/python -m lederuddannelse.dev.simulate

lock: ## Re-resolve and rewrite requirements.lock (needs network to the package index)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e . pytest playwright pybtex ruff==0.17.6
	( echo '# Exact pins for the book and its tests. Regenerate with `make lock` (see README).'; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable ) > requirements.lock
	rm -rf .venv-lock

citation: $(STAMP) ## Regenerate CITATION.cff from citation.yml (after a change there or of the version)
	$(BIN)/python -m lederuddannelse citation cff -o CITATION.cff

clean: ## Remove build output (keeps the virtual environment)
	rm -rf _build build
