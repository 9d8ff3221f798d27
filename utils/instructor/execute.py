"""Executing a notebook: the one runner (``make solutions``, ``make bench``, the Colab-image check).

A fresh kernel per run; the lab's mode and device come from the environment variables given
here, set for the kernel and restored afterwards, so that the caller's environment can leak
no mode into committed outputs or measured times.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path


def _set(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def environment(values: dict[str, str | None]):
    """Set (or, for ``None``, remove) environment variables for the duration of the block."""
    before = {k: os.environ.get(k) for k in values}
    try:
        _set(values)
        yield
    finally:
        _set(before)


def execute(nb, cwd: Path, *, env: dict[str, str | None] | None = None, timeout: int = 1200,
            kernel_name: str = "python3", km=None, **hooks) -> float:
    """Run ``nb`` (an nbformat notebook, outputs written in place) top to bottom in ``cwd``.

    ``env`` is set for the kernel (``{"LAB_FAST": "1"}``); ``km`` a kernel manager for a
    kernel other than this interpreter's; ``hooks`` nbclient's ``on_cell_start`` and
    friends. Returns the wall time in seconds; errors are nbclient's."""
    from nbclient import NotebookClient

    client_args = {"km": km} if km is not None else {"kernel_name": kernel_name}
    with environment(env or {}):
        client = NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(cwd)}},
                                **client_args, **hooks)
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
