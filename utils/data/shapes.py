"""Procedural "shapes" scenes for captioning (offline, deterministic).

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
"""

from __future__ import annotations

import numpy as np

from .captions import CaptionData

COLORS = {
    "red": (0.90, 0.15, 0.15),
    "green": (0.15, 0.75, 0.20),
    "blue": (0.20, 0.35, 0.95),
    "yellow": (0.95, 0.85, 0.10),
}
SHAPES = ("circle", "square", "triangle")
SIZES = ("small", "large")
RELATIONS = {"above": "below", "below": "above", "left of": "right of", "right of": "left of"}


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
