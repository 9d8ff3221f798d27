"""Checksummed, cached downloads with a clear failure mode.

Every file a lab downloads goes through :func:`fetch`: it lands in the cache folder
(``$RNNLABS_CACHE`` or ``~/.cache/rnnlabs``), its sha256 is checked on every use, a
corrupt copy is deleted and fetched again, and any failure raises
:class:`DownloadError` whose message says what to do. Loaders catch it and fall back
to their offline default.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path


class DownloadError(RuntimeError):
    """A download failed or its checksum did not match."""


def cache_dir() -> Path:
    return Path(os.environ.get("RNNLABS_CACHE", Path.home() / ".cache" / "rnnlabs"))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url: str, sha256: str, filename: str, timeout: float = 30.0) -> Path:
    """Return the path of a verified local copy of ``url``, downloading it if needed."""
    target = cache_dir() / filename
    if target.exists():
        if sha256_of(target) == sha256:
            return target
        # A truncated or tampered copy: never use it, fetch a fresh one.
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
            while chunk := resp.read(1 << 20):
                out.write(chunk)
    except Exception as exc:  # URLError, timeouts, HTTP errors, disk errors
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"could not download {url} ({exc}). Check your internet connection, or place the "
            f"file by hand at {target} (expected sha256 {sha256})."
        ) from exc
    digest = sha256_of(tmp)
    if digest != sha256:
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} downloaded with sha256 {digest}, expected {sha256}: the file is corrupt or "
            f"has changed upstream. Delete {target} and try again, or use the offline default."
        )
    tmp.replace(target)
    return target
