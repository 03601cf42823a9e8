# cogrnn: one target for each thing. Every target sets itself up (creates .venv) first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
TORCH_PIN := torch==2.13.0
SEEDS_ARGS ?=

# test-wheel: the built wheel in a clean venv, run from another folder (.ci/run does it after test)
.PHONY: setup test test-wheel test-slow figures paper docs docs-check bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# the pinned CPU wheel first, so the range in pyproject.toml installs nothing more
	$(PY) -m pip install --quiet $(TORCH_PIN)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(PY) -m pytest -m "not slow" -q --doctest-modules cogrnn tests

test-wheel:
	PYTHON=$(PYTHON) TORCH_PIN=$(TORCH_PIN) bash .ci/wheel-check

test-slow: setup
	$(PY) -m pytest -m slow -q tests

figures: setup
	$(VENV)/bin/cogrnn replicate all $(SEEDS_ARGS)
	# README and paper result tables are regenerated from the claims just written
	$(PY) -m paper.build --no-pdf

paper: figures
	$(PY) -m paper.build

# the documentation site: docs/_build/html, offline, warnings are errors; incremental (sphinx-gallery reruns only
# changed examples; replication pages come from paper/generated/ when `make figures` ran, else from quick runs
# kept in docs/_build/replication-runs/). `make docs-check` opens every page in headless Chromium.
docs: setup
	$(PY) -c "import sphinx, pydata_sphinx_theme, sphinx_gallery, numpydoc" 2>/dev/null || $(PY) -m pip install --quiet -e ".[docs]"
	@start=$$(date +%s); $(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html \
	  && echo "make docs: site built in $$(( $$(date +%s) - start )) s: docs/_build/html/index.html \
	  (gallery times: docs/_build/html/sg_execution_times.html)"

docs-check: docs
	$(PY) docs/check_site.py docs/_build/html

bench: setup
	$(PY) -m benchmarks.run

lint: setup
	$(VENV)/bin/ruff check cogrnn replications tests benchmarks docs paper
	$(VENV)/bin/ruff format --check cogrnn replications tests benchmarks docs paper
	$(VENV)/bin/mypy cogrnn
	# numpydoc validation of every public name of cogrnn (replications included); checks in pyproject.toml
	$(PY) -c "import sys; from cogrnn._docs import main; sys.exit(main(['cogrnn']))"

format: setup
	$(VENV)/bin/ruff format cogrnn replications tests benchmarks
	$(VENV)/bin/ruff check --fix cogrnn replications tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
