"""Binarised digit images for the autoregressive image models of Lab 5.

* ``"digits"`` (offline default, on every machine): scikit-learn's ``load_digits``
  (1797 handwritten digits, 8x8, grey levels 0..16) thresholded at ``>= 8`` (about 32%
  of the pixels are on), with a fixed train/test split (a seeded permutation: 1500
  train, 297 test images).
* ``"mnist"`` (for Colab): the original MNIST IDX files (28x28, grey levels 0..255),
  downloaded through :func:`utils.data._download.fetch` (sha256-checked, cached), read
  by :func:`read_idx` and thresholded at ``>= 128``. When the download fails the loader
  warns and returns the offline digits instead.

Note: the papers' "binarized MNIST" is the stochastically binarised set of Salakhutdinov
and Murray (2008), not this deterministic threshold, so their numbers compare with ours
only roughly.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np

from ._download import DownloadError, fetch

DIGITS_TEST_SIZE = 297
DIGITS_SPLIT_SEED = 0

MNIST_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"
# sha256 of the gzipped IDX files as published by the original MNIST site and its mirrors
# (the same values appear in torchvision's prototype datasets and many other loaders).
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "test": ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
}

BINARY_IMAGE_SETS = ("digits", "mnist")

# IDX type byte -> big-endian NumPy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (gzip-compressed when its name ends in ``.gz``) into an array.

    The format: two zero bytes, a type byte (0x08 = uint8, ... 0x0E = float64), the
    number of dimensions ``d``, then ``d`` big-endian uint32 sizes and the data, row major.
    Raises ValueError when the header is malformed or the data length does not match.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path} is not an IDX file: it must start with two zero bytes")
    if raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type byte 0x{raw[2]:02x}; expected one of "
                         + ", ".join(f"0x{t:02x}" for t in _IDX_DTYPES))
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header (ndim={ndim})")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"{path}: IDX header promises shape {shape} ({expected} bytes of data), "
                         f"file holds {len(raw) - header} bytes: the file is truncated or corrupt")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _check_threshold(threshold, lo, hi):
    if not isinstance(threshold, (int, float, np.integer, np.floating)) or not lo < threshold <= hi:
        raise ValueError(f"threshold must be a number in ({lo}, {hi}], got {threshold!r}")


def load_binarized_digits(threshold: float = 8) -> tuple[np.ndarray, np.ndarray]:
    """Binarised 8x8 digits with a fixed split: ``(x_train, x_test)``, uint8 in {0, 1}.

    Shapes ``(1500, 8, 8)`` and ``(297, 8, 8)``; a pixel is 1 when its grey level
    (0..16) is ``>= threshold``. The split is the same on every machine.
    """
    from sklearn.datasets import load_digits

    _check_threshold(threshold, 0, 16)
    images = load_digits().images  # (1797, 8, 8), values 0..16
    perm = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    binary = (images >= threshold).astype(np.uint8)[perm]
    return binary[DIGITS_TEST_SIZE:], binary[:DIGITS_TEST_SIZE]


def load_binarized_mnist(threshold: float = 128, max_train: int | None = None,
                         max_test: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Binarised MNIST: ``(x_train, x_test)``, uint8 in {0, 1}, shapes (N, 28, 28).

    Downloads (once, then cached) the original IDX image files; a pixel is 1 when its
    grey level (0..255) is ``>= threshold``. ``max_train``/``max_test`` keep the first
    images only. Raises :class:`DownloadError` when the files cannot be fetched.
    """
    _check_threshold(threshold, 0, 255)
    for name, value in (("max_train", max_train), ("max_test", max_test)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value <= 0):
            raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    out = []
    for split, limit in (("train", max_train), ("test", max_test)):
        filename, sha = MNIST_FILES[split]
        images = read_idx(fetch(MNIST_MIRROR + filename, sha, "mnist-" + filename))
        if images.ndim != 3:
            raise ValueError(f"{filename}: expected images of shape (N, 28, 28), got {images.shape}")
        out.append((images[:limit] >= threshold).astype(np.uint8))
    return out[0], out[1]


def load_binary_images(name: str = "digits", **kwargs) -> tuple[np.ndarray, np.ndarray, str]:
    """``(x_train, x_test, name_used)`` for ``name`` in ``BINARY_IMAGE_SETS``.

    ``"mnist"`` falls back to ``"digits"`` with a warning when the download fails, so
    ``name_used`` says which set you actually got. ``kwargs`` go to the loader.
    """
    if name not in BINARY_IMAGE_SETS:
        raise ValueError(f"unknown image set {name!r}; valid names are {', '.join(BINARY_IMAGE_SETS)}")
    if name == "mnist":
        try:
            return (*load_binarized_mnist(**kwargs), "mnist")
        except DownloadError as exc:
            warnings.warn(f"MNIST unavailable: {exc} Using the offline 8x8 digits instead.", stacklevel=2)
            return (*load_binarized_digits(), "digits")
    return (*load_binarized_digits(**kwargs), "digits")
