# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# cffconvert validates CITATION.cff in the tests; it needs jsonschema<4, so it has its own env
CFF_VENV := .venv-cff
CFF_STAMP := $(CFF_VENV)/.installed-stamp
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help venv cff-venv book example preview data system-deps lint test test-fast bench \
	validate lock citation clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# uv installs the lock (about ten times faster than pip); it is itself installed with pip, pinned.
UV_VERSION := 0.13.8
UV = $(BIN)/uv pip install --quiet --python $(BIN)/python

$(STAMP): requirements.lock pyproject.toml
	@echo "Setting up $(VENV) from requirements.lock (with uv $(UV_VERSION)) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) --compile-bytecode -r requirements.lock
	$(UV) --no-deps -e .
	@touch $@

venv: $(STAMP) ## Create the virtual environment from the lock file (if needed)

$(CFF_STAMP): requirements-cff.lock
	@echo "Setting up $(CFF_VENV) (cffconvert) from requirements-cff.lock ..."
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.lock
	@touch $@

cff-venv: $(CFF_STAMP) ## Create .venv-cff with cffconvert, which the citation test runs (if needed)

data: $(STAMP) ## Generate the embedded synthetic survey (if missing or stale)
	$(BIN)/python -m lederuddannelse data ensure

# A survey-tool export and its mapping: make book DATA=export.sav MAPPING=mapping.yml
DATA ?=
MAPPING ?=
EXAMPLE := data/examples/export.sav

book: $(STAMP) $(filter $(EXAMPLE),$(DATA)) ## Build the book into _build/html (DATA=file MAPPING=mapping.yml: another data file)
	$(BIN)/python -m lederuddannelse build --jobs $(JOBS) $(if $(DATA),--data $(DATA)) $(if $(MAPPING),--mapping $(MAPPING))

example: $(EXAMPLE) ## Generate the example survey-tool export data/examples/export.sav

$(EXAMPLE): $(STAMP) src/lederuddannelse/data/example_export.py src/lederuddannelse/data/synthetic.py data/codebook.yml data/targets.yml data/margins.csv
	$(BIN)/python -m lederuddannelse data example-export -o $@

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
	  echo "      the tests that need them fail, naming the missing tool."; \
	fi

lint: $(STAMP) ## Check style: ruff lint and format check on src and tests (config in pyproject.toml)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# pytest-xdist: TEST_WORKERS processes, each test file on one of them (its module fixtures run
# once); the built book is shared by all through a file lock (tests/conftest.py)
TEST_WORKERS ?= 2
PYTEST_N = -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP) $(CFF_STAMP) system-deps ## Run lint, then all tests in TEST_WORKERS workers (installs R and Chromium if missing)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest $(PYTEST_N)

test-fast: $(STAMP) $(CFF_STAMP) ## Run the tests that need neither a book build, a browser nor R
	$(BIN)/python -m pytest $(PYTEST_N) -m "not book and not browser and not r and not slow"

bench: $(STAMP) ## Benchmarks: print build, data and statistics timings
	$(BIN)/python -m lederuddannelse.dev.bench

archive: $(STAMP) ## A dated, self-contained zip of the built site in build/archive/ (builds if needed)
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m lederuddannelse.site.archive

.PHONY: lab
lab: $(STAMP) ## Open the chapters in JupyterLab with the book's kernel (installs JupyterLab once, as Binder)
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -r binder/requirements.txt
	$(BIN)/python -m lederuddannelse data ensure
	$(BIN)/jupyter lab chapters/

screenshots: $(STAMP) ## Full-page screenshots of every page at 390 and 1280 px into build/screenshots/
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m lederuddannelse.dev.sitecheck screenshots

site-check: $(STAMP) ## Every page at 390/768/1280/1920 px in Chromium: layout, axe light+dark, page weights
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m lederuddannelse.dev.sitecheck check
	$(BIN)/python -m lederuddannelse.dev.sitecheck weights

validate: $(STAMP) ## Simulation study: bias and CI coverage over repeated samples
	$(BIN)/python -m lederuddannelse.dev.simulate

lock: ## Re-resolve and rewrite requirements.lock (needs network to the package index)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e . pytest pytest-xdist playwright pybtex ruff==0.17.6 setuptools
	( echo '# Exact pins for the book and its tests. Regenerate with `make lock` (see README).'; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v '^pip==' ) > requirements.lock
	rm -rf .venv-lock

citation: $(STAMP) ## Regenerate CITATION.cff from citation.yml (after a change there or of the version)
	$(BIN)/python -m lederuddannelse citation cff -o CITATION.cff

clean: ## Remove build output (keeps the virtual environment)
	rm -rf _build build
