# RNN Labs. `make book` builds the book, `make test` runs every test; both create the
# virtual environment .venv on first use (torch pinned by constraints.txt to the CPU build).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LABS ?=

.PHONY: help venv book test test-fast students autograder solutions check-sync release grade clean

help:
	@echo "make book        build the book into _build/html (open _build/html/index.html)"
	@echo "make test        run every test (utils, labs in fast mode, sync, grading, book)"
	@echo "make students    regenerate notebooks/ from labsolutions/"
	@echo "make solutions   execute labsolutions/ in full mode in place, then regenerate notebooks/"
	@echo "make autograder  write the otter autograder zips to _build/autograder/"
	@echo "make release DEST=../rnn-labs-public   write the student-facing copy (no solutions, no hidden tests)"
	@echo "make grade LAB=lab01_rnn_numpy SUBMISSIONS=dir   grade a folder into results/LAB/"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	rm -rf _build/.jupyter_cache
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Book written to _build/html: open _build/html/index.html in a browser."

# Two xdist workers on a 2-core machine: one BLAS/torch thread each, or the four threads
# fight over two cores and small-matrix code runs many times slower.
test: $(STAMP)
	LAB_FAST=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m pytest tests labsolutions --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=300 -p no:cacheprovider -n 2 --dist loadfile

students: $(STAMP)
	$(PY) -m utils.release students $(LABS)

autograder: $(STAMP)
	$(PY) -m utils.release autograder $(LABS)

solutions: $(STAMP)
	$(PY) -m utils.release solutions $(LABS)
	$(PY) -m utils.release students $(LABS)

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
# about 10-20 minutes on a 2-core CPU.
.PHONY: checkpoints
checkpoints: $(STAMP)
	$(PY) -m utils.charlstm
