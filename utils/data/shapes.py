"""Captioning data: procedural "shapes" scenes (offline, deterministic) and Flickr8k (Colab).

A shapes scene is a small RGB image (default 32x32) on a dark, slightly noisy background
with one to three non-overlapping objects. Each object has a colour (red, green, blue,
yellow), a shape (circle, square, triangle) and a size (small, large); no two objects of
a scene share both colour and shape, so every phrase such as "red circle" names exactly
one object. Each image comes with several captions from a small grammar::

    a small red circle
    a red circle above a large blue square
    a blue square , a red circle and a green triangle

and with one boolean mask per object, so that an attention map can be scored against
the object a word refers to (:func:`word_referents`).

:class:`CaptionVocab` maps words to ids with the four special tokens ``<NULL>`` (0,
padding), ``<START>`` (1), ``<END>`` (2) and ``<UNK>`` (3); :meth:`CaptionVocab.encode`
returns padded id arrays whose mask is ``ids != NULL_ID``.

:func:`load_flickr8k` loads the real Flickr8k captions (for Colab): download through
:func:`utils.data._download.fetch`, resize, tokenise; when the download fails it warns
and returns the procedural set instead.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._download import DownloadError, fetch

NULL_ID, START_ID, END_ID, UNK_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")

COLORS = {
    "red": (0.90, 0.15, 0.15),
    "green": (0.15, 0.75, 0.20),
    "blue": (0.20, 0.35, 0.95),
    "yellow": (0.95, 0.85, 0.10),
}
SHAPES = ("circle", "square", "triangle")
SIZES = ("small", "large")
RELATIONS = {"above": "below", "below": "above", "left of": "right of", "right of": "left of"}


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

    def subset(self, idx) -> "CaptionData":
        """The examples at integer indices ``idx`` (a new CaptionData)."""
        idx = np.asarray(idx, dtype=np.int64)
        return CaptionData(self.images[idx], [self.captions[i] for i in idx],
                           None if self.masks is None else self.masks[idx],
                           None if self.objects is None else [self.objects[i] for i in idx],
                           self.name, dict(self.info))


# ---------------------------------------------------------------------------- scenes
def _object_mask(shape: str, cx: float, cy: float, r: float, size: int) -> np.ndarray:
    """Boolean (size, size) mask of one object centred at pixel (cx, cy) with radius r."""
    xx = np.arange(size, dtype=np.float64)[None, :] + 0.5
    yy = np.arange(size, dtype=np.float64)[:, None] + 0.5
    if shape == "circle":
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    if shape == "square":  # half-side 0.85 r: about the area of the circle
        h = 0.85 * r
        return (np.abs(xx - cx) <= h) & (np.abs(yy - cy) <= h)
    if shape == "triangle":  # pointing up, apex at cy - r, base at cy + 0.8 r
        top, bottom = cy - r, cy + 0.8 * r
        frac = (yy - top) / (bottom - top)
        return (frac >= 0) & (frac <= 1) & (np.abs(xx - cx) <= frac * 1.05 * r)
    raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")


def _phrase(obj: dict, with_size: bool) -> str:
    words = ["a"] + ([obj["size"]] if with_size else []) + [obj["color"], obj["shape"]]
    return " ".join(words)


def _relation(a: dict, b: dict) -> str:
    """Where ``a`` lies relative to ``b``: the axis with the larger centre offset wins."""
    dx, dy = a["cx"] - b["cx"], a["cy"] - b["cy"]
    if abs(dy) >= abs(dx):
        return "above" if dy < 0 else "below"
    return "left of" if dx < 0 else "right of"


def scene_captions(objects: list[dict]) -> list[str]:
    """Every caption the grammar produces for a list of objects (deterministic order)."""
    if not 1 <= len(objects) <= 3:
        raise ValueError(f"a scene has 1 to 3 objects, got {len(objects)}")
    out = []
    for with_size in (False, True):
        p = [_phrase(o, with_size) for o in objects]
        if len(objects) == 1:
            out += [p[0], "there is " + p[0]]
        elif len(objects) == 2:
            rel = _relation(objects[0], objects[1])
            out += [f"{p[0]} {rel} {p[1]}", f"{p[1]} {RELATIONS[rel]} {p[0]}",
                    f"{p[0]} and {p[1]}", f"{p[1]} and {p[0]}"]
        else:
            for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1)):
                out.append(f"{p[i]} , {p[j]} and {p[k]}")
            rel = _relation(objects[0], objects[1])
            out.append(f"{p[0]} {rel} {p[1]} and {p[2]}")
    return out


def make_shapes(n: int, size: int = 32, seed: int = 0, captions_per_image: int = 5,
                max_objects: int = 3, noise: float = 0.03) -> CaptionData:
    """Generate ``n`` shapes scenes with captions and object masks (deterministic from ``seed``).

    Returns a :class:`CaptionData` with images (n, 3, size, size) float32, masks
    (n, max_objects, size, size) bool and ``captions_per_image`` captions per image, drawn
    without replacement from :func:`scene_captions` (with replacement when the grammar
    has fewer).
    """
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size must be an integer >= 16 (pixels per side), got {size!r}")
    if not 1 <= max_objects <= 3:
        raise ValueError(f"max_objects must be 1, 2 or 3, got {max_objects!r}")
    if captions_per_image < 1:
        raise ValueError(f"captions_per_image must be >= 1, got {captions_per_image!r}")
    rng = np.random.default_rng(seed)
    radius = {"small": 0.12 * size, "large": 0.21 * size}
    images = np.empty((n, 3, size, size), dtype=np.float32)
    masks = np.zeros((n, max_objects, size, size), dtype=bool)
    all_objects, all_captions = [], []
    for i in range(n):
        k = int(rng.integers(1, max_objects + 1))
        objs: list[dict] = []
        taken = np.zeros((size, size), dtype=bool)
        tries = 0
        while len(objs) < k and tries < 200:
            tries += 1
            color = str(rng.choice(list(COLORS)))
            shape = str(rng.choice(SHAPES))
            if any(o["color"] == color and o["shape"] == shape for o in objs):
                continue
            sz = str(rng.choice(SIZES))
            r = radius[sz]
            cx, cy = rng.uniform(r + 1, size - r - 1, size=2)
            m = _object_mask(shape, cx, cy, r, size)
            if (m & taken).any():  # keep at least one background pixel between objects
                continue
            masks[i, len(objs)] = m
            grown = np.pad(m, 1)
            taken |= grown[1:-1, 1:-1] | grown[:-2, 1:-1] | grown[2:, 1:-1] | grown[1:-1, :-2] | grown[1:-1, 2:]
            objs.append({"color": color, "shape": shape, "size": sz,
                         "cx": float(cx), "cy": float(cy), "r": float(r)})
        img = 0.08 + noise * rng.standard_normal((3, size, size))
        for j, o in enumerate(objs):
            m = masks[i, j]
            rgb = np.clip(np.array(COLORS[o["color"]]) + rng.uniform(-0.06, 0.06, 3), 0, 1)
            img[:, m] = rgb[:, None] + noise * rng.standard_normal((3, int(m.sum())))
        images[i] = np.clip(img, 0, 1)
        caps = scene_captions(objs)
        replace = len(caps) < captions_per_image
        pick = rng.choice(len(caps), size=captions_per_image, replace=replace)
        all_captions.append([caps[c] for c in pick])
        all_objects.append(objs)
    return CaptionData(images, all_captions, masks, all_objects, "shapes",
                       {"size": size, "seed": seed})


def word_referents(caption: str, objects: list[dict]) -> list[tuple[int, int | None]]:
    """For every colour or shape word of ``caption``: ``(word position, object slot)``.

    A word belongs to the phrase ``[size] colour shape`` it sits in; the referent is the
    object with that phrase's colour and shape. When the phrase names no object of the
    scene (a wrong caption), the slot is None: the word is scored as not grounded.
    """
    words = caption.split()
    out = []
    for pos, w in enumerate(words):
        if w not in COLORS and w not in SHAPES:
            continue
        if w in COLORS:
            color = w
            shape = words[pos + 1] if pos + 1 < len(words) and words[pos + 1] in SHAPES else None
        else:
            shape = w
            color = words[pos - 1] if pos >= 1 and words[pos - 1] in COLORS else None
        slot = None
        matches = [j for j, o in enumerate(objects)
                   if (color is None or o["color"] == color) and (shape is None or o["shape"] == shape)]
        if len(matches) == 1:
            slot = matches[0]
        out.append((pos, slot))
    return out


# ---------------------------------------------------------------------------- vocabulary
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
    def build(cls, captions, min_count: int = 1) -> "CaptionVocab":
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


# ---------------------------------------------------------------------------- Flickr8k
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
