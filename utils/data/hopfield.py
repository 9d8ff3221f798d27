"""Binary digit templates for Lab 2's Hopfield network.

``digit_templates()`` gives one 8x8 template per digit 0..9: the mean image of that class in
scikit-learn's handwritten digits (``load_digits``, 1797 images, grey levels 0..16, on every
machine, no download) thresholded at half the grey scale, as a vector of 64 entries in
{-1, +1} (+1 where the pixel is on). Templates of different digits overlap strongly (they share
most of the background), which is the point of the lab's comparison with random patterns.
"""

from __future__ import annotations

import numpy as np


def digit_templates(threshold: float = 8.0) -> np.ndarray:
    """Templates of the digits 0..9 as rows of a (10, 64) float64 array of +-1.

    Row k is +1 where the mean grey level of class k is ``>= threshold`` (0..16), else -1;
    ``row.reshape(8, 8)`` is the image.
    """
    from sklearn.datasets import load_digits

    if not 0 < threshold <= 16:
        raise ValueError(f"threshold must be in (0, 16], got {threshold}")
    digits = load_digits()
    means = np.stack([digits.images[digits.target == k].mean(axis=0) for k in range(10)])
    return np.where(means >= threshold, 1.0, -1.0).reshape(10, 64)
