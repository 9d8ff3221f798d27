"""Sphinx extension: the book serves MathJax itself, so math renders offline (no CDN).

The book's pages load ``_static/mathjax/tex-mml-chtml.js`` (``mathjax_path`` in
``_config.yml``); this extension copies MathJax 3 there at the end of every HTML build,
from ``$MATHJAX_DIR`` or from ``build/mathjax/node_modules/mathjax/es5``, where
``make mathjax`` (a prerequisite of ``make book`` and ``make test``) installs the npm
package ``mathjax``. Without it the build warns, and ``-W`` turns that into a failure:
a book whose formulas show as raw TeX is not published by accident.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .paths import ROOT

ENTRY = "tex-mml-chtml.js"  # TeX and MathML input, CommonHTML output: what Sphinx's default expects
DEFAULT_DIR = ROOT / "build" / "mathjax" / "node_modules" / "mathjax" / "es5"


def mathjax_dir() -> Path | None:
    """The MathJax ``es5`` folder to serve, or None when it is not installed."""
    for candidate in filter(None, (os.environ.get("MATHJAX_DIR"), DEFAULT_DIR)):
        if (Path(candidate) / ENTRY).is_file():
            return Path(candidate)
    return None


def copy_mathjax(src: Path, static_dir: Path) -> Path:
    """Copy the entry point and the components it loads (fonts, extensions, menu, speech);
    the other combined bundles of the package are not needed. Returns the destination."""
    dest = static_dir / "mathjax"

    def ignore(folder, names):
        top = Path(folder) == src
        return [n for n in names if top and n.endswith(".js") and n != ENTRY]

    shutil.copytree(src, dest, ignore=ignore, dirs_exist_ok=True)
    return dest


def _check(app):
    from sphinx.util import logging

    if app.builder.format == "html" and mathjax_dir() is None:
        logging.getLogger(__name__).warning(
            f"MathJax is not installed ({DEFAULT_DIR} has no {ENTRY}): run `make mathjax` "
            "(npm install of the package mathjax), or set MATHJAX_DIR; without it the book's "
            "formulas show as raw TeX")


def _copy(app, exception):
    if exception is None and app.builder.format == "html":
        src = mathjax_dir()
        if src is not None:
            copy_mathjax(src, Path(app.outdir) / "_static")


def setup(app):
    app.connect("builder-inited", _check)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
