# RNN Labs. `make book` builds the book, `make test` runs every test; both create the
# virtual environment .venv on first use with the developer tools (torch pinned by
# constraints.txt to the CPU build). `make venv` is the student install: only what the labs
# import, and JupyterLab to run them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
STUDENT_STAMP := $(VENV)/.installed
LABS ?=

.PHONY: help venv dev book test test-fast lint students autograder solutions check-sync release grade clean lab08-ask \
	browser sandbox bench mathjax colab-image colab-freeze bench-gpu check-py313 lab02-sweep checkpoints lab03-grid

help:
	@echo "make book        build the book into _build/html (open _build/html/index.html)"
	@echo "make test        run every test (utils, labs in fast mode, sync, grading, book), then lint"
	@echo "make test-fast   the unit and grading tests only (no notebooks, no book): a few minutes"
	@echo "make lint        ruff (lint and import order) over utils/ and tests/"
	@echo "make venv        the student install: what the labs import, and JupyterLab"
	@echo "make students    regenerate notebooks/ from labsolutions/"
	@echo "make solutions   execute labsolutions/ in full mode in place, then regenerate notebooks/"
	@echo "make autograder  write the otter autograder zips to _build/autograder/"
	@echo "make bench       time every lab (fast and full mode) into utils/artefacts/, print speed ratios"
	@echo "make bench-gpu   time every lab in full mode on a CUDA GPU into utils/artefacts/bench-gpu.*"
	@echo "make release DEST=../rnn-labs-public   write the student-facing copy (no solutions, no hidden tests)"
	@echo "make grade LAB=lab01_rnn_numpy SUBMISSIONS=dir   grade a folder into results/LAB/"
	@echo "make colab-freeze FREEZE=pip-freeze.gpu.txt SOURCE=... DATE=YYYY-MM-DD   vendor Colab's new package list"
	@echo "make colab-image  build (or reuse) the Colab-image environment the tests run labs in"
	@echo "make check-py313  the torch-free unit tests on Python 3.13 (Colab's), deprecations as errors"
	@echo "make checkpoints  retrain Lab 3's character-LSTM checkpoint (utils/artefacts/)"
	@echo "make lab03-grid   run Lab 3's reference T-vs-success grid (resumable; JOBS=2)"
	@echo "make lab02-sweep  rerun Lab 2 in full mode and copy its adding-problem sweep to utils/artefacts/"
	@echo "make lab08-ask    rerun Lab 8 in full mode and copy the answers its chapter's static widget shows"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

$(STUDENT_STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e . jupyterlab
	touch $(STUDENT_STAMP)

venv: $(STUDENT_STAMP)
dev: $(STAMP)

book: $(STAMP) mathjax
	rm -rf _build/.jupyter_cache
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Book written to _build/html: open _build/html/index.html in a browser."

# Debian's bubblewrap, the grader's sandbox (utils/grading/sandbox.py), installed only when
# missing; without it the grader refuses to run (unless told --unsafe-no-sandbox).
sandbox:
	@if ! command -v bwrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap; \
	  else \
	    echo "make: bwrap is missing; run 'sudo apt-get install -y bubblewrap' to grade (and to test the grader)."; \
	  fi; \
	fi

# MathJax 3 from the npm registry, served by the built book itself (utils/book_mathjax.py copies
# it into _build/html/_static/mathjax/): the formulas render offline and in the browser test.
# Installs npm from Debian first when it is missing (as root).
MATHJAX_VERSION := 3.2.2
MATHJAX_JS := build/mathjax/node_modules/mathjax/es5/tex-mml-chtml.js
mathjax: $(MATHJAX_JS)
$(MATHJAX_JS):
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y npm; else \
	  echo "make: npm is missing; run 'sudo apt-get install -y npm' (MathJax comes from the npm registry)"; exit 1; fi; }
	npm install --prefix build/mathjax --no-audit --no-fund --no-save mathjax@$(MATHJAX_VERSION)
	test -f $@ && touch $@

# Debian's Chromium for the browser test (tests/book/test_book.py), installed only when missing.
# Needs root (CI runs as root); elsewhere it says what to do and the browser test skips
# (in CI, with CI=true, the browser test fails instead).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	  else \
	    echo "make: /usr/bin/chromium is missing; run 'sudo apt-get install -y chromium' for the browser test."; \
	  fi; \
	fi

# Two xdist workers on a 2-core machine: one BLAS/torch thread each, or the four threads
# fight over two cores and small-matrix code runs many times slower.
THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
test: $(STAMP) browser sandbox mathjax
	LAB_FAST=1 $(THREADS) $(PY) -m pytest tests labsolutions --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=300 -p no:cacheprovider -n 2 --dist loadfile
	$(MAKE) --no-print-directory lint

# Units and grading: no lab notebook runs, no book build (tests/labs and tests/book are left out).
test-fast: $(STAMP) sandbox
	LAB_FAST=1 $(THREADS) $(PY) -m pytest tests --ignore=tests/labs --ignore=tests/book -p no:cacheprovider -n 2 -q

lint: $(STAMP)
	$(VENV)/bin/ruff check utils tests

students: $(STAMP)
	$(PY) -m utils.instructor.release students $(LABS)

autograder: $(STAMP)
	$(PY) -m utils.instructor.release autograder $(LABS)

solutions: $(STAMP)
	$(PY) -m utils.instructor.release solutions $(LABS)
	$(PY) -m utils.instructor.release students $(LABS)

# Wall time and peak memory of every lab in fast and full mode (utils/artefacts/bench.*),
# then NumPy-vs-PyTorch speed ratios. Long (every lab in full mode): run it on an idle machine.
bench: $(STAMP)
	$(PY) -m utils.instructor.bench $(LABS)

# Every lab in full mode on a CUDA GPU (LAB_DEVICE=cuda): utils/artefacts/bench-gpu.md. Run it
# wherever there is a GPU (it refuses to run without one).
bench-gpu: $(STAMP)
	$(PY) -m utils.instructor.bench --gpu $(LABS)

DEST ?=
release: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make release DEST=../rnn-labs-public (a new folder outside the repository)"; exit 2; }
	$(PY) -m utils.instructor.release release $(DEST)

LAB ?=
SUBMISSIONS ?= submissions/$(LAB)
grade: $(STAMP) sandbox
	@test -n "$(LAB)" || { echo "usage: make grade LAB=lab01_rnn_numpy SUBMISSIONS=path/to/folder"; exit 2; }
	$(PY) -m utils.instructor.grade $(SUBMISSIONS) --lab $(LAB) --out results/$(LAB)

check-sync: $(STAMP)
	$(PY) -m utils.instructor.release check

clean:
	rm -rf _build

# Lab 3: the small character-LSTM checkpoint (utils/artefacts/), reproducible from a seed;
# H=256, 15000 steps: 32 minutes on a 2-core CPU with another job on the second core.
checkpoints: $(STAMP)
	$(PY) -m utils.instructor.train_charlstm

# Lab 3: the reference T-vs-success grid (utils/artefacts/lab03_grid.json) with the lab's own
# code; resumable (finished rows are kept). About an hour of CPU; JOBS=2 uses two cores.
JOBS ?= 2
lab03-grid: $(STAMP)
	$(PY) -m utils.instructor.labgrid --jobs $(JOBS)

# The Colab-image check (tests/labs/test_colab_image.py) runs every lab in an environment built from
# Colab's published package list (tests/colab/); built once per change, cached in ~/.cache/rnn-labs.
colab-image: $(STAMP)
	$(PY) -m utils.instructor.colabimage build

# Vendor a new Colab package list when Colab moves: FREEZE is Google's pip-freeze.gpu.txt from
# github.com/googlecolab/backend-info (OSINFO its os-info-gpu.txt), SOURCE says which commit.
FREEZE ?=
OSINFO ?=
SOURCE ?=
DATE ?=
colab-freeze: $(STAMP)
	@test -n "$(FREEZE)" -a -n "$(SOURCE)" -a -n "$(DATE)" || { echo 'usage: make colab-freeze FREEZE=pip-freeze.gpu.txt SOURCE="github.com/googlecolab/backend-info at commit ..." DATE=YYYY-MM-DD [OSINFO=os-info-gpu.txt]'; exit 2; }
	$(PY) -m utils.instructor.colabimage refresh $(FREEZE) --source "$(SOURCE)" --date $(DATE) $(if $(OSINFO),--os-info $(OSINFO))

# Colab runs Python 3.13; this machine's torch wheel is for 3.11 only. This runs the unit tests
# that need no torch on a Python 3.13 (PY313; pyenv's if there is one) with deprecation warnings
# as errors, and prints the sizes of the two corpora that come from Python itself.
PY313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13 2>/dev/null))
PY313_TESTS := tests/runtime/test_gradcheck.py tests/runtime/test_plotting.py tests/runtime/test_colab.py \
	tests/runtime/data
# Its environment lives outside the checkout (the book build would read its files).
VENV313 ?= $(HOME)/.cache/rnn-labs/venv-py313
check-py313:
	@test -n "$(PY313)" || { echo "no Python 3.13 here: set PY313=/path/to/python3.13"; exit 2; }
	test -x $(VENV313)/bin/python || $(PY313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install -q numpy matplotlib scikit-learn ipywidgets pyyaml tqdm pytest nbformat threadpoolctl sacrebleu packaging
	$(VENV313)/bin/python -W error::DeprecationWarning -m pytest -q -p no:cacheprovider -W error::DeprecationWarning $(PY313_TESTS)
	$(VENV313)/bin/python -c 'import platform; from utils.data.text import load_text; \
	  [print(platform.python_version(), n, len(t), "characters,", len(v), "distinct") for n in ("python-docs", "python-code") for t, v in [load_text(n)]]'

# Lab 2: the adding-problem sweep the book chapter shows (utils/artefacts/lab02_adding_sweep.json). A
# full-mode run of the lab writes it into the notebook's working folder (a student's run never
# touches the course's files); this reruns the master in full mode and copies the result.
lab02-sweep: $(STAMP)
	$(MAKE) solutions LABS=lab02_vanishing_gradients
	mv labsolutions/lab02_adding_sweep.json utils/artefacts/lab02_adding_sweep.json

# Lab 8: the answers the book's static version of the ask-a-question widget draws
# (utils/artefacts/lab08_ask_examples.json), written by a full-mode run of the lab.
lab08-ask: $(STAMP)
	$(MAKE) solutions LABS=lab08_visual_qa
	mv labsolutions/lab08_ask_examples.json utils/artefacts/lab08_ask_examples.json
