# RNN Labs. `make book` builds the book, `make test` runs every test; both create the
# virtual environment .venv on first use (torch pinned by constraints.txt to the CPU build).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LABS ?=

.PHONY: help venv book test test-fast students autograder solutions check-sync release grade clean browser bench mathjax

help:
	@echo "make book        build the book into _build/html (open _build/html/index.html)"
	@echo "make test        run every test (utils, labs in fast mode, sync, grading, book)"
	@echo "make students    regenerate notebooks/ from labsolutions/"
	@echo "make solutions   execute labsolutions/ in full mode in place, then regenerate notebooks/"
	@echo "make autograder  write the otter autograder zips to _build/autograder/"
	@echo "make bench       time every lab (fast and full mode) into book/_generated/, print speed ratios"
	@echo "make release DEST=../rnn-labs-public   write the student-facing copy (no solutions, no hidden tests)"
	@echo "make grade LAB=lab01_rnn_numpy SUBMISSIONS=dir   grade a folder into results/LAB/"
	@echo "make checkpoints  retrain Lab 3's character-LSTM checkpoint (utils/checkpoints/)"
	@echo "make lab03-grid   run Lab 3's reference T-vs-success grid (resumable; JOBS=2)"
	@echo "make lab02-sweep  rerun Lab 2 in full mode and copy its adding-problem sweep to book/data/"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP) mathjax
	rm -rf _build/.jupyter_cache
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Book written to _build/html: open _build/html/index.html in a browser."

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

# Debian's Chromium for the browser test (tests/test_book.py), installed only when missing.
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
test: $(STAMP) browser mathjax
	LAB_FAST=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m pytest tests labsolutions --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=300 -p no:cacheprovider -n 2 --dist loadfile

students: $(STAMP)
	$(PY) -m utils.release students $(LABS)

autograder: $(STAMP)
	$(PY) -m utils.release autograder $(LABS)

solutions: $(STAMP)
	$(PY) -m utils.release solutions $(LABS)
	$(PY) -m utils.release students $(LABS)

# Wall time and peak memory of every lab in fast and full mode (book/_generated/bench.*),
# then NumPy-vs-PyTorch speed ratios. Long (every lab in full mode): run it on an idle machine.
bench: $(STAMP)
	$(PY) -m utils.bench $(LABS)

DEST ?=
release: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make release DEST=../rnn-labs-public (a new folder outside the repository)"; exit 2; }
	$(PY) -m utils.release release $(DEST)

LAB ?=
SUBMISSIONS ?= submissions/$(LAB)
grade: $(STAMP)
	@test -n "$(LAB)" || { echo "usage: make grade LAB=lab01_rnn_numpy SUBMISSIONS=path/to/folder"; exit 2; }
	$(PY) -m utils.grade $(SUBMISSIONS) --lab $(LAB) --out results/$(LAB)

check-sync: $(STAMP)
	$(PY) -m utils.release check

clean:
	rm -rf _build

# Lab 3: the small character-LSTM checkpoint (utils/checkpoints/), reproducible from a seed;
# H=256, 15000 steps: 32 minutes on a 2-core CPU with another job on the second core.
.PHONY: checkpoints
checkpoints: $(STAMP)
	$(PY) -m utils.charlstm

# Lab 3: the reference T-vs-success grid (utils/checkpoints/lab03_grid.json) with the lab's own
# code; resumable (finished rows are kept). About an hour of CPU; JOBS=2 uses two cores.
JOBS ?= 2
.PHONY: lab03-grid
lab03-grid: $(STAMP)
	$(PY) -m utils.labgrid --jobs $(JOBS)

# Lab 2: the adding-problem sweep the book chapter shows (book/data/lab02_adding_sweep.json). A
# full-mode run of the lab writes it into the notebook's working folder (a student's run never
# touches the course's files); this reruns the master in full mode and copies the result.
.PHONY: lab02-sweep
lab02-sweep: $(STAMP)
	$(MAKE) solutions LABS=lab02_vanishing_gradients
	mkdir -p book/data
	mv labsolutions/lab02_adding_sweep.json book/data/lab02_adding_sweep.json
