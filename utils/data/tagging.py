"""A sequence-tagging task whose labels depend on the future (Lab 3, bidirectional RNNs).

Each sequence is ``T`` tokens drawn uniformly from ``0..vocab-1``; the label of position
``t`` is 1 when the token ``x[t]`` occurs again later in the sequence (at some ``s > t``),
else 0. A causal (left-to-right) model has seen nothing that predicts the future tokens,
so its best guess at position ``t`` depends on ``t`` only:
P(label = 1) = 1 - (1 - 1/vocab)^(T - 1 - t). :func:`future_tagging_causal_bound` gives the
accuracy of that best guess; a bidirectional model can reach 100%.
"""

from __future__ import annotations

import numpy as np


def future_tagging(n: int, T: int, seed: int = 0, vocab: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Return int64 ``x`` and ``y`` of shape (n, T): tokens and "occurs again later" labels."""
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n (number of sequences) must be a positive integer, got {n!r}")
    if not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T (sequence length) must be an integer >= 2, got {T!r}")
    if not isinstance(vocab, (int, np.integer)) or vocab < 2:
        raise ValueError(f"vocab must be an integer >= 2, got {vocab!r}")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, vocab, size=(n, T))
    # later[:, t, v] = token v occurs at some position s > t
    onehot = np.eye(vocab, dtype=bool)[x]                        # (n, T, vocab)
    later = np.zeros_like(onehot)
    later[:, :-1] = np.flip(np.logical_or.accumulate(np.flip(onehot[:, 1:], 1), axis=1), 1)
    y = np.take_along_axis(later, x[..., None], axis=2)[..., 0].astype(np.int64)
    return x.astype(np.int64), y


def future_tagging_causal_bound(T: int, vocab: int = 10) -> float:
    """Accuracy of the best causal predictor on :func:`future_tagging` (averaged over positions)."""
    if T < 2 or vocab < 2:
        raise ValueError(f"need T >= 2 and vocab >= 2, got T={T}, vocab={vocab}")
    p = 1.0 - (1.0 - 1.0 / vocab) ** (T - 1 - np.arange(T))
    return float(np.maximum(p, 1 - p).mean())
