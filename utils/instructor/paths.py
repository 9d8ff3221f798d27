"""Where things are in the course repository: its root, its labs, its public address.

The one place for these: every instructor tool and test imports them from here.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .. import ARTEFACTS  # noqa: F401  (committed results; one definition, in the runtime)

ROOT = Path(__file__).resolve().parents[2]


def lab_names(root: Path = ROOT) -> list[str]:
    """Every lab that has a master notebook (``labsolutions/labNN_slug.ipynb``), in order."""
    return sorted(p.stem for p in (root / "labsolutions").glob("lab[0-9][0-9]_*.ipynb"))


def master_path(lab: str, root: Path = ROOT) -> Path:
    return root / "labsolutions" / f"{lab}.ipynb"


def repository(root: Path = ROOT) -> tuple[str, str]:
    """(url, branch) of the student-facing repository, read from ``_config.yml``: its one home."""
    cfg = yaml.safe_load((root / "_config.yml").read_text())
    repo = cfg.get("repository") or {}
    if "url" not in repo:
        raise ValueError("_config.yml has no repository.url")
    return repo["url"].rstrip("/"), repo.get("branch", "main")
