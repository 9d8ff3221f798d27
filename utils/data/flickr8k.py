"""Flickr8k captions (for Colab): download, resize, tokenise; offline, the shapes scenes instead.

:func:`load_flickr8k` downloads through :func:`utils.data._download.fetch`; when the
download fails it warns and returns the procedural set (:func:`utils.data.make_shapes`).
"""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np

from ._download import DownloadError, fetch
from .captions import CaptionData, tokenize
from .shapes import make_shapes

FLICKR8K_URLS = {
    "images": "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k/Flickr8k_Dataset.zip",
    "text": "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k/Flickr8k_text.zip",
}
# The publishers of these archives give no sha256; these are the MD5 digests that the
# flickr8k loader of torch for R pins for the same two URLs (taken from its source, not
# checked by download: this course's build machines are offline). Replace them by sha256 digests
# (`sha256sum Flickr8k_Dataset.zip Flickr8k_text.zip`) once someone has the files.
FLICKR8K_SHA256: dict[str, str | None] = {"images": "md5:f18a1e2920de5bd84dae7cf08ec78978",
                                          "text": "md5:bf6c1abcb8e4a833b7f922104de18627"}
FLICKR8K_SPLITS = {"train": "Flickr_8k.trainImages.txt", "val": "Flickr_8k.devImages.txt",
                   "test": "Flickr_8k.testImages.txt"}


def _member(zf: zipfile.ZipFile, basename: str) -> str:
    for name in zf.namelist():
        if name.rsplit("/", 1)[-1] == basename and "__MACOSX" not in name:
            return name
    raise ValueError(f"{zf.filename} has no member named {basename!r}: not a Flickr8k archive?")


def parse_flickr8k(images_zip, text_zip, split: str = "train", size: int = 32,
                   max_images: int | None = None) -> CaptionData:
    """Read Flickr8k from its two archives (the published layout).

    ``text_zip`` holds ``Flickr8k.token.txt`` (lines ``<image>.jpg#<k>\\t<caption>``) and the
    split lists ``Flickr_8k.{train,dev,test}Images.txt``; ``images_zip`` holds the JPEGs.
    Images are centre-cropped to a square and resized to ``size`` x ``size``.
    """
    from PIL import Image

    if split not in FLICKR8K_SPLITS:
        raise ValueError(f"split must be one of {sorted(FLICKR8K_SPLITS)}, got {split!r}")
    with zipfile.ZipFile(text_zip) as tz:
        tokens = tz.read(_member(tz, "Flickr8k.token.txt")).decode("utf-8")
        names = tz.read(_member(tz, FLICKR8K_SPLITS[split])).decode("utf-8").split()
    caps: dict[str, list[str]] = {}
    for line in tokens.splitlines():
        if "\t" not in line:
            continue
        key, text = line.split("\t", 1)
        caps.setdefault(key.split("#")[0], []).append(" ".join(tokenize(text)))
    names = [n for n in names if n in caps][: max_images]
    if not names:
        raise ValueError(f"no captioned images in split {split!r}")
    images = np.empty((len(names), 3, size, size), dtype=np.float32)
    with zipfile.ZipFile(images_zip) as iz:
        index = {m.rsplit("/", 1)[-1]: m for m in iz.namelist() if "__MACOSX" not in m}
        for i, name in enumerate(names):
            if name not in index:
                raise ValueError(f"{images_zip} has no image {name!r}")
            img = Image.open(io.BytesIO(iz.read(index[name]))).convert("RGB")
            w, h = img.size
            s = min(w, h)
            img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
            img = img.resize((size, size), Image.BILINEAR)
            images[i] = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255.0
    return CaptionData(images, [caps[n] for n in names], None, None, "flickr8k",
                       {"size": size, "split": split, "files": names})


def load_flickr8k(split: str = "train", size: int = 32, max_images: int | None = 2000,
                  fallback_n: int = 2000, seed: int = 0) -> CaptionData:
    """Flickr8k (download about 1 GB once, sha256-checked, cached), or, when that fails,
    the procedural shapes set (``make_shapes(fallback_n, size, seed)``) with a warning."""
    try:
        paths = {}
        for key, url in FLICKR8K_URLS.items():
            sha = FLICKR8K_SHA256[key]
            if sha is None:
                raise DownloadError(
                    f"the sha256 of {url} is not pinned in utils.data.shapes.FLICKR8K_SHA256, so the "
                    f"file cannot be verified. Download it, run `sha256sum` on it, set the value, and "
                    f"place the file in the cache folder.")
            paths[key] = fetch(url, sha, url.rsplit("/", 1)[-1], timeout=120)
        return parse_flickr8k(paths["images"], paths["text"], split, size, max_images)
    except DownloadError as exc:
        warnings.warn(f"Flickr8k unavailable: {exc} Using {fallback_n} procedural shapes scenes "
                      f"instead.", stacklevel=2)
        return make_shapes(fallback_n, size=size, seed=seed)
