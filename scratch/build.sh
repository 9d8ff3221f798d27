#!/bin/bash
# Build the temporary Lab 8 master from head.py + the fragment; cell ids from the `id="..."` markers.
set -e
cd /work/l8b
cat scratch/head.py scratch/lab08_dialog_nav.py > scratch/full.py
/work/main/.venv/bin/jupytext -q --to ipynb --set-kernel python3 scratch/full.py -o labsolutions/lab08_visual_qa.ipynb
/work/main/.venv/bin/python - <<'PY'
import nbformat
p = "labsolutions/lab08_visual_qa.ipynb"
nb = nbformat.read(p, 4)
names = ["config", "title", "setup", "imports"]
for k, c in enumerate(nb.cells):
    cid = c.metadata.pop("id", None) or (f"dn-head-{names[k]}" if k < 4 else None)
    c.metadata.pop("lines_to_next_cell", None)
    if cid:
        c.id = cid
ids = [c.id for c in nb.cells]
assert len(ids) == len(set(ids)), "duplicate cell ids"
nb.metadata.pop("jupytext", None)
nbformat.write(nb, p)
PY
