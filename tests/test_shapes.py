"""Unit tests for utils.data.shapes (Lab 4 captioning data) and its plotting/widget helpers."""

import io
import zipfile

import numpy as np
import pytest

from utils.data import shapes
from utils.data.shapes import (COLORS, END_ID, NULL_ID, SHAPES, START_ID, UNK_ID, CaptionVocab,
                               DownloadError, load_flickr8k, make_shapes, parse_flickr8k,
                               scene_captions, word_referents)


@pytest.fixture(scope="module")
def data():
    return make_shapes(40, size=32, seed=3)


def test_shapes_and_determinism(data):
    assert data.images.shape == (40, 3, 32, 32) and data.images.dtype == np.float32
    assert data.masks.shape == (40, 3, 32, 32) and data.masks.dtype == bool
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert all(len(c) == 5 for c in data.captions)
    again = make_shapes(40, size=32, seed=3)
    assert np.array_equal(again.images, data.images) and again.captions == data.captions
    other = make_shapes(40, size=32, seed=4)
    assert not np.array_equal(other.images, data.images)


def test_objects_masks_and_colours(data):
    counts = [len(o) for o in data.objects]
    assert set(counts) <= {1, 2, 3} and len(set(counts)) > 1
    for img, masks, objs in zip(data.images, data.masks, data.objects):
        assert masks.sum(axis=0).max() <= 1, "objects must not overlap"
        assert not masks[len(objs):].any(), "unused slots are empty"
        pairs = [(o["color"], o["shape"]) for o in objs]
        assert len(set(pairs)) == len(pairs), "no two objects share colour and shape"
        for m, o in zip(masks, objs):
            assert m.sum() >= 15
            mean_rgb = img[:, m].mean(axis=1)
            assert np.abs(mean_rgb - np.array(COLORS[o["color"]])).max() < 0.12


def test_captions_follow_the_grammar(data):
    vocab_words = set(COLORS) | set(SHAPES) | {"a", "small", "large", "there", "is", "and", ",",
                                               "above", "below", "left", "right", "of"}
    for caps, objs in zip(data.captions, data.objects):
        for c in caps:
            assert set(c.split()) <= vocab_words, c
            assert c in scene_captions(objs)


def test_relations():
    a = {"color": "red", "shape": "circle", "size": "small", "cx": 10.0, "cy": 5.0, "r": 3.0}
    b = {"color": "blue", "shape": "square", "size": "large", "cx": 12.0, "cy": 25.0, "r": 6.0}
    caps = scene_captions([a, b])
    assert "a red circle above a blue square" in caps
    assert "a blue square below a red circle" in caps
    with pytest.raises(ValueError, match="1 to 3"):
        scene_captions([])


def test_word_referents():
    objs = [{"color": "red", "shape": "circle"}, {"color": "blue", "shape": "circle"}]
    # "red"/"circle" -> slot 0; "blue" "circle" -> slot 1; "green square" names nothing.
    got = word_referents("a small red circle above a blue circle and a green square", objs)
    assert got == [(2, 0), (3, 0), (6, 1), (7, 1), (10, None), (11, None)]


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "positive integer"), ({"n": 5, "size": 8}, "size"),
    ({"n": 5, "max_objects": 4}, "max_objects"), ({"n": 5, "captions_per_image": 0}, "captions_per_image"),
])
def test_make_shapes_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes(**kwargs)


def test_vocab_roundtrip_and_padding(data):
    vocab = CaptionVocab.build(data.captions)
    assert vocab.itos[:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert (NULL_ID, START_ID, END_ID, UNK_ID) == (0, 1, 2, 3)
    ids = vocab.encode(["a red circle", "a small blue square above a large green triangle"], max_len=6)
    assert ids.shape == (2, 8) and ids.dtype == np.int64
    assert ids[0, 0] == START_ID and ids[0, 4] == END_ID and (ids[0, 5:] == NULL_ID).all()
    assert ids[1, -1] == END_ID, "long captions are cut to max_len words, <END> kept"
    assert vocab.decode(ids[0]) == "a red circle"
    assert vocab.decode(ids[1]) == "a small blue square above a"
    assert vocab.encode(["a purple circle"])[0, 2] == UNK_ID
    with pytest.raises(ValueError, match="list of caption strings"):
        vocab.encode("a red circle")
    with pytest.raises(ValueError, match=r"\[0, "):
        vocab.decode([len(vocab)])
    with pytest.raises(ValueError, match="must start with"):
        CaptionVocab(["a", "b"])


def test_subset(data):
    sub = data.subset([2, 0])
    assert len(sub) == 2 and sub.captions[1] == data.captions[0]
    assert np.array_equal(sub.masks[0], data.masks[2])


# ---------------------------------------------------------------------------- Flickr8k fixture
def _write_fixture(tmp_path):
    """A tiny archive pair in the published Flickr8k layout: 3 images, 2 in the train split."""
    from PIL import Image

    names = ["100_a.jpg", "200_b.jpg", "300_c.jpg"]
    images = tmp_path / "Flickr8k_Dataset.zip"
    with zipfile.ZipFile(images, "w") as z:
        for k, name in enumerate(names):
            arr = np.zeros((30, 40, 3), dtype=np.uint8)
            arr[..., k] = 255                             # red, green, blue images, not square
            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, format="JPEG", quality=95)
            z.writestr(f"Flicker8k_Dataset/{name}", buf.getvalue())
        z.writestr("__MACOSX/Flicker8k_Dataset/._100_a.jpg", b"junk")
    text = tmp_path / "Flickr8k_text.zip"
    tokens = "".join(f"{n}#{j}\tA Dog runs, fast on grass {j} .\n" for n in names for j in range(5))
    with zipfile.ZipFile(text, "w") as z:
        z.writestr("Flickr8k.token.txt", tokens)
        z.writestr("Flickr_8k.trainImages.txt", "100_a.jpg\n300_c.jpg\n")
        z.writestr("Flickr_8k.devImages.txt", "200_b.jpg\n")
        z.writestr("Flickr_8k.testImages.txt", "missing.jpg\n")
    return images, text


def test_parse_flickr8k_fixture(tmp_path):
    images, text = _write_fixture(tmp_path)
    d = parse_flickr8k(images, text, split="train", size=16)
    assert d.name == "flickr8k" and d.masks is None
    assert d.images.shape == (2, 3, 16, 16) and d.images.dtype == np.float32
    assert d.info["files"] == ["100_a.jpg", "300_c.jpg"]
    assert d.images[0, 0].mean() > 0.9 and d.images[0, 1].mean() < 0.1      # red image
    assert d.images[1, 2].mean() > 0.9                                       # blue image
    assert len(d.captions[0]) == 5 and d.captions[0][0] == "a dog runs , fast on grass 0"
    assert len(parse_flickr8k(images, text, split="val", size=16)) == 1
    assert len(parse_flickr8k(images, text, split="train", size=16, max_images=1)) == 1
    with pytest.raises(ValueError, match="split"):
        parse_flickr8k(images, text, split="dev")
    with pytest.raises(ValueError, match="no captioned images"):
        parse_flickr8k(images, text, split="test")


def test_load_flickr8k_uses_fetch_and_falls_back(tmp_path, monkeypatch):
    images, text = _write_fixture(tmp_path)
    # Unpinned checksums: refuse, warn, fall back to the shapes data.
    monkeypatch.setattr(shapes, "FLICKR8K_SHA256", {"images": None, "text": None})
    with pytest.warns(UserWarning, match="not pinned"):
        d = load_flickr8k(size=32, fallback_n=4)
    assert d.name == "shapes" and len(d) == 4
    # Pinned, download fails: fall back with the download error in the message.
    monkeypatch.setattr(shapes, "FLICKR8K_SHA256", {"images": "0" * 64, "text": "0" * 64})

    def failing(url, sha256, filename, timeout=30.0):
        raise DownloadError(f"could not download {url}")

    monkeypatch.setattr(shapes, "fetch", failing)
    with pytest.warns(UserWarning, match="could not download"):
        assert load_flickr8k(fallback_n=3).name == "shapes"
    # Pinned, download works: the archives are parsed.
    files = {"Flickr8k_Dataset.zip": images, "Flickr8k_text.zip": text}
    monkeypatch.setattr(shapes, "fetch", lambda url, sha256, filename, timeout=30.0: files[filename])
    d = load_flickr8k(split="val", size=8)
    assert d.name == "flickr8k" and d.images.shape == (1, 3, 8, 8)


# ---------------------------------------------------------------------------- plotting, widgets
def test_show_attention_and_dropdowns():
    import matplotlib

    matplotlib.use("Agg")
    from utils.plotting import show_attention
    from utils.widgets import dropdowns

    img = np.zeros((3, 32, 32))
    axes = show_attention(img, ["a", "red"], np.full((2, 64), 1 / 64))
    assert len(axes) == 3
    with pytest.raises(ValueError, match=r"\(len\(words\)=2, L\)"):
        show_attention(img, ["a", "red"], np.ones((3, 64)))
    with pytest.raises(ValueError, match=r"\(3, S, S\)"):
        show_attention(np.zeros((32, 32, 3)), ["a"], np.ones((1, 64)))
    seen = []
    assert dropdowns(lambda image, method: seen.append((image, method)),
                     {"image": [0, 1], "method": ["greedy"]}, static=True,
                     static_values=[{"image": 1, "method": "greedy"}]) is None
    assert seen == [(1, "greedy")]
    with pytest.raises(ValueError, match="at least one"):
        dropdowns(print, {"image": []}, static=True)
