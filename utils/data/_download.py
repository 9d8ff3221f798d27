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
import re
import urllib.request
from pathlib import Path


class DownloadError(RuntimeError):
    """A download failed or its checksum did not match."""


def cache_dir() -> Path:
    return Path(os.environ.get("RNNLABS_CACHE", Path.home() / ".cache" / "rnnlabs"))


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _split_checksum(checksum: str) -> tuple[str, str]:
    """``"<hex>"`` is a sha256; ``"md5:<hex>"`` names another algorithm, for files whose
    publishers give only that (a published MD5 still catches truncation and corruption)."""
    algorithm, _, digest = checksum.rpartition(":")
    algorithm = algorithm or "sha256"
    if algorithm not in ("sha256", "md5") or not re.fullmatch(r"[0-9a-f]+", digest):
        raise ValueError(f"checksum must be a sha256 hex digest or 'md5:<hex>', got {checksum!r}")
    return algorithm, digest


def fetch(url: str, sha256: str, filename: str, timeout: float = 30.0) -> Path:
    """Return the path of a verified local copy of ``url``, downloading it if needed.

    ``sha256`` is the expected hex digest (or ``"md5:<hex>"`` where only an MD5 is published).
    """
    algorithm, expected = _split_checksum(sha256)
    target = cache_dir() / filename
    if target.exists():
        if file_digest(target, algorithm) == expected:
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
    digest = file_digest(tmp, algorithm)
    if digest != expected:
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} downloaded with {algorithm} {digest}, expected {expected}: the file is corrupt or "
            f"has changed upstream. Delete {target} and try again, or use the offline default."
        )
    tmp.replace(target)
    return target
