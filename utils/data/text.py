"""Character-level text corpora: Python's own documentation prose and source code
(offline, on every machine) and tiny Shakespeare (downloaded, checksummed).
"""

from __future__ import annotations

import sysconfig
import warnings
from pathlib import Path

import numpy as np

from ._download import DownloadError, fetch

TINYSHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
TINYSHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

TEXT_CORPORA = ("python-docs", "python-code", "tinyshakespeare")
OFFLINE_DEFAULT = "python-docs"


class CharVocab:
    """A character vocabulary: ``encode`` text to int64 ids, ``decode`` ids to text.

    Characters are sorted, so the same text always gives the same ids.
    """

    def __init__(self, text_or_chars):
        self.chars: list[str] = sorted(set(text_or_chars))
        if not self.chars:
            raise ValueError("a vocabulary needs at least one character")
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters)"

    def encode(self, text: str) -> np.ndarray:
        try:
            return np.fromiter((self.stoi[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        ids = np.asarray(ids).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in [0, {len(self)}), got range [{ids.min()}, {ids.max()}]")
        return "".join(self.chars[int(i)] for i in ids)


def _python_docs() -> str:
    from pydoc_data.topics import topics

    # Sorted keys: the same Python gives the same text on every machine.
    return "\n\n".join(topics[k].strip() for k in sorted(topics))


def _python_code() -> str:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__"}
    parts = []
    for path in sorted(stdlib.rglob("*.py")):
        rel = path.relative_to(stdlib)
        if skip.intersection(rel.parts[:-1]):
            continue
        try:
            src = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if src.isascii():  # keeps the vocabulary to printable ASCII and a few controls
            parts.append(src)
    return "\n".join(parts)


def _tinyshakespeare() -> str:
    path = fetch(TINYSHAKESPEARE_URL, TINYSHAKESPEARE_SHA256, "tinyshakespeare.txt")
    return path.read_text(encoding="utf-8")


def load_text(name: str = OFFLINE_DEFAULT, max_chars: int | None = None) -> tuple[str, CharVocab]:
    """Load a character corpus and its vocabulary.

    Parameters
    ----------
    name : one of ``"python-docs"`` (about 465k characters of English prose from
        ``pydoc_data.topics``; offline default), ``"python-code"`` (the standard
        library's ASCII ``.py`` sources, test folders excluded; about 10 MB) and
        ``"tinyshakespeare"`` (1.1 MB, downloaded and sha256-checked; falls back to
        ``"python-docs"`` with a warning when the download fails).
    max_chars : keep only the first ``max_chars`` characters (the vocabulary is built
        from the kept text).

    Returns
    -------
    (text, vocab) : the corpus as one string and its :class:`CharVocab`.
    """
    if name not in TEXT_CORPORA:
        raise ValueError(f"unknown text corpus {name!r}; valid names are {', '.join(TEXT_CORPORA)}")
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars <= 0):
        raise ValueError(f"max_chars must be a positive integer or None, got {max_chars!r}")
    if name == "python-docs":
        text = _python_docs()
    elif name == "python-code":
        text = _python_code()
    else:
        try:
            text = _tinyshakespeare()
        except DownloadError as exc:
            warnings.warn(f"tinyshakespeare unavailable: {exc} Using the offline corpus "
                          f"{OFFLINE_DEFAULT!r} instead.", stacklevel=2)
            text = _python_docs()
    if max_chars is not None:
        text = text[:max_chars]
    return text, CharVocab(text)
