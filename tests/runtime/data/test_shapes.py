"""utils.data.shapes and utils.data.captions: Lab 4's scenes, captions and vocabulary."""

import numpy as np
import pytest

from utils.data.captions import END_ID, NULL_ID, START_ID, UNK_ID, CaptionVocab
from utils.data.shapes import COLORS, SHAPES, make_shapes, scene_captions, word_referents


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
