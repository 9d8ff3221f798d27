"""Captions as a model sees them: the dataset container, tokenisation and the vocabulary.

:class:`CaptionVocab` maps words to ids with the four special tokens ``<NULL>`` (0,
padding), ``<START>`` (1), ``<END>`` (2) and ``<UNK>`` (3); :meth:`CaptionVocab.encode`
returns padded id arrays whose mask is ``ids != NULL_ID``. The procedural scenes
(``shapes``) and Flickr8k (``flickr8k``) both return a :class:`CaptionData`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

NULL_ID, START_ID, END_ID, UNK_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")


@dataclass
class CaptionData:
    """A captioning dataset.

    images : float32 (N, 3, S, S), values in [0, 1] (channels first, as torch expects).
    captions : N lists of caption strings (lower case, words separated by single spaces).
    masks : bool (N, K, S, S), one mask per object slot (K = max objects; unused slots
        are all False), or None for datasets without object masks.
    objects : N lists of dicts ``{"color", "shape", "size", "cx", "cy", "r"}``, one per
        object in slot order, or None.
    name : "shapes" or "flickr8k".
    """

    images: np.ndarray
    captions: list
    masks: np.ndarray | None = None
    objects: list | None = None
    name: str = "shapes"
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, idx) -> CaptionData:
        """The examples at integer indices ``idx`` (a new CaptionData)."""
        idx = np.asarray(idx, dtype=np.int64)
        return CaptionData(self.images[idx], [self.captions[i] for i in idx],
                           None if self.masks is None else self.masks[idx],
                           None if self.objects is None else [self.objects[i] for i in idx],
                           self.name, dict(self.info))


def tokenize(caption: str) -> list[str]:
    """Lower case, keep letters, digits and the comma, split on white space."""
    caption = re.sub(r"[^a-z0-9, ]+", " ", caption.lower())
    caption = caption.replace(",", " , ")
    return caption.split()


class CaptionVocab:
    """Words <-> ids, with ``<NULL>``=0, ``<START>``=1, ``<END>``=2, ``<UNK>``=3 first.

    Build it from training captions only (``CaptionVocab.build``); words seen fewer than
    ``min_count`` times map to ``<UNK>``. Ordinary words follow by decreasing frequency
    (ties alphabetically), so the same captions always give the same ids.
    """

    def __init__(self, words):
        words = list(words)
        if tuple(words[:4]) != SPECIAL_TOKENS:
            raise ValueError(f"a vocabulary must start with {SPECIAL_TOKENS}, got {words[:4]}")
        self.itos: list[str] = words
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(words)}

    @classmethod
    def build(cls, captions, min_count: int = 1) -> CaptionVocab:
        """``captions``: an iterable of strings or of lists of strings."""
        counts: Counter = Counter()
        for c in captions:
            for s in ([c] if isinstance(c, str) else c):
                counts.update(tokenize(s))
        words = sorted((w for w, k in counts.items() if k >= min_count), key=lambda w: (-counts[w], w))
        return cls(list(SPECIAL_TOKENS) + [w for w in words if w not in SPECIAL_TOKENS])

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"CaptionVocab({len(self)} tokens)"

    def encode(self, captions, max_len: int = 16) -> np.ndarray:
        """int64 (n, max_len + 2): ``<START> w_1 .. w_k <END> <NULL> ...``.

        Captions longer than ``max_len`` words are cut to ``max_len`` words (``<END>`` is
        kept). The loss mask of the targets ``ids[:, 1:]`` is ``ids[:, 1:] != NULL_ID``.
        """
        if isinstance(captions, str):
            raise ValueError("encode expects a list of caption strings, got a single string")
        if not isinstance(max_len, (int, np.integer)) or max_len < 1:
            raise ValueError(f"max_len must be a positive integer, got {max_len!r}")
        out = np.full((len(captions), max_len + 2), NULL_ID, dtype=np.int64)
        for i, c in enumerate(captions):
            ids = [self.stoi.get(w, UNK_ID) for w in tokenize(c)][:max_len]
            out[i, : len(ids) + 2] = [START_ID] + ids + [END_ID]
        return out

    def decode(self, ids) -> str:
        """Words of one id sequence, skipping ``<START>``/``<NULL>`` and stopping at ``<END>``."""
        words = []
        for i in np.asarray(ids).ravel().tolist():
            if not 0 <= i < len(self):
                raise ValueError(f"ids must lie in [0, {len(self)}), got {i}")
            if i == END_ID:
                break
            if i in (NULL_ID, START_ID):
                continue
            words.append(self.itos[i])
        return " ".join(words)
