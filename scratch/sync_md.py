"""Copy markdown and raw cells from the fragment into the executed master (keeps code outputs); report code diffs."""
import subprocess, sys, nbformat
subprocess.run(["bash", "-c", "cat scratch/head.py scratch/lab08_dialog_nav.py > scratch/full.py && "
                "/work/main/.venv/bin/jupytext -q --to ipynb --set-kernel python3 scratch/full.py -o /tmp/l8b_fresh.ipynb"],
               check=True)
fresh = {c.metadata.get("id"): c for c in nbformat.read("/tmp/l8b_fresh.ipynb", 4).cells}
p = "labsolutions/lab08_visual_qa.ipynb"
nb = nbformat.read(p, 4)
for c in nb.cells:
    f = fresh.get(c.id)
    if f is None or f.source == c.source:
        continue
    if c.cell_type == "code":
        print("CODE DIFFERS (rerun needed):", c.id)
    else:
        c.source = f.source
        print("synced", c.id)
nbformat.write(nb, p)
