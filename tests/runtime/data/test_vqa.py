"""utils.data.vqa: Lab 8's questions, answers, splits and dialogs.

Answers are recomputed here from the scene's objects with code written independently of
the generator (no call to ``scene_questions`` or ``relation``)."""

from collections import Counter, defaultdict

import numpy as np
import pytest

from utils.data.vqa import (
    ANSWER_SETS,
    ANSWERS,
    PAD_ID,
    QA_WORDS,
    QUESTION_TYPES,
    encode_questions,
    make_dialogs,
    make_vqa,
)

NUMBER_WORDS = ["zero", "one", "two", "three"]


def _where(a, b):
    """Independent restatement of the relation: compare the centre offsets axis by axis."""
    dx, dy = a["cx"] - b["cx"], a["cy"] - b["cy"]
    if dy * dy >= dx * dx:
        return "below" if dy >= 0 else "above"
    return "right of" if dx >= 0 else "left of"


def _answer(question, objs):
    """The unique answer of ``question`` about ``objs``; raises AssertionError if it has none."""
    w = question.split()
    assert w[-1] == "?"
    if w[:4] == ["what", "colour", "is", "the"] and len(w) == 6:
        (o,) = [o for o in objs if o["shape"] == w[4]]
        return o["color"]
    if w[:2] == ["how", "many"]:
        k = len([o for o in objs if o["color"] == w[2]])
        assert k < 3, "count questions are not asked about a colour three objects share"
        return NUMBER_WORDS[k]
    if w[:3] == ["is", "there", "a"]:
        return "yes" if any(o["color"] == w[3] and o["shape"] == w[4] for o in objs) else "no"
    if w[:5] == ["what", "colour", "is", "the", "shape"]:
        rel = " ".join(w[5:-4])
        (ref,) = [o for o in objs if o["color"] == w[-3] and o["shape"] == w[-2]]
        (o,) = [o for o in objs if o is not ref and _where(o, ref) == rel]
        return o["color"]
    raise AssertionError(f"question outside the grammar: {question}")


@pytest.fixture(scope="module")
def biased():
    return make_vqa(3000, 600, "biased", seed=5)


@pytest.fixture(scope="module")
def balanced():
    return make_vqa(6000, 2000, "balanced", seed=5)


@pytest.mark.parametrize("name", ["biased", "balanced"])
def test_answers_recomputed_from_the_scene(name, request):
    d = request.getfixturevalue(name)
    assert d.images.shape == (600 if name == "biased" else 2000, 3, 32, 32)
    for s, q, a, t, named, ch in zip(d.scene, d.questions, d.answers, d.qtypes, d.named, d.choices):
        objs = d.objects[s]
        assert a == _answer(q, objs), (q, a)
        assert a in ANSWER_SETS[t]
        if named >= 0:  # the named object carries the colour and shape words of the question
            o = objs[named]
            assert o["shape"] in q.split() and (t == "attribute" or o["color"] in q.split())
        if t == "exists":
            assert ch is None
        else:
            extra = {"three"} if t == "count" else set()
            assert len(ch) == 4 and len(set(ch)) == 4 and a in ch and set(ch) <= set(ANSWER_SETS[t]) | extra


def test_determinism_by_seed(biased):
    again = make_vqa(3000, 600, "biased", seed=5)
    assert again.questions == biased.questions and again.answers == biased.answers
    assert np.array_equal(again.scene, biased.scene) and again.choices == biased.choices
    other = make_vqa(3000, 600, "biased", seed=6)
    assert other.questions != biased.questions
    d1, d2 = make_dialogs(50, seed=2), make_dialogs(50, seed=2)
    assert d1.questions == d2.questions and d1.answers == d2.answers


def test_balanced_pairs_differ(balanced):
    p = balanced.pair
    assert np.array_equal(p[p], np.arange(len(p))) and (p != np.arange(len(p))).all()
    for i, j in enumerate(p):
        assert balanced.questions[i] == balanced.questions[j]
        assert balanced.answers[i] != balanced.answers[j]
        assert balanced.scene[i] != balanced.scene[j]


MARGIN = 0.04   # |P(answer | type) - 1/K| on 6000 questions (about 1500 per type)
BLIND_MARGIN = 0.05  # a blind model's accuracy - 1/K per type, 1500 test questions (sd about 0.012)


def test_balanced_answers_near_uniform_per_type(balanced, biased):
    for t in QUESTION_TYPES:
        c = Counter(a for a, tt in zip(balanced.answers, balanced.qtypes) if tt == t)
        n, k = sum(c.values()), len(ANSWER_SETS[t])
        assert n > 1000
        for a in ANSWER_SETS[t]:
            assert abs(c[a] / n - 1 / k) < MARGIN, (t, a, c[a] / n)
    # A blind oracle that knows, for each question string, its most frequent answer in the
    # very data it is scored on: on the biased split it is right far more often than chance.
    def blind_oracle(d):
        by = defaultdict(Counter)
        for q, a in zip(d.questions, d.answers):
            by[q][a] += 1
        return np.mean([by[q].most_common(1)[0][0] == a for q, a in zip(d.questions, d.answers)])
    assert blind_oracle(biased) > 0.75
    # Paired questions: the same string with two different answers, so at most half are right.
    assert blind_oracle(balanced) <= 0.5 + 1e-12


def test_blind_model_at_chance_on_balanced_split(balanced):
    """The best question-only model learnt on one balanced split (the majority answer of each
    question string, ties broken by a fixed order) is at chance 1/K per type on another."""
    def fit(d):
        by = defaultdict(Counter)
        for q, a in zip(d.questions, d.answers):
            by[q][a] += 1
        return {q: max(sorted(c), key=c.__getitem__) for q, c in by.items()}
    test = make_vqa(6000, 2000, "balanced", seed=11)
    for train, other in ((balanced, test), (test, balanced)):
        guess = fit(train)
        for t in QUESTION_TYPES:
            rows = [(q, a) for q, a, tt in zip(other.questions, other.answers, other.qtypes) if tt == t]
            acc = np.mean([guess.get(q) == a for q, a in rows])
            assert abs(acc - 1 / len(ANSWER_SETS[t])) < BLIND_MARGIN, (t, acc)
    # The same blind learner on the biased split beats chance by far more than the margin.
    b_train, b_test = make_vqa(3000, 600, "biased", seed=5), make_vqa(3000, 600, "biased", seed=12)
    guess = fit(b_train)
    for t in ("attribute", "count", "spatial"):
        rows = [(q, a) for q, a, tt in zip(b_test.questions, b_test.answers, b_test.qtypes) if tt == t]
        assert np.mean([guess.get(q) == a for q, a in rows]) > 1 / len(ANSWER_SETS[t]) + 3 * BLIND_MARGIN, t


def test_encode_questions():
    ids, lengths = encode_questions(["is there a red circle ?", "how many blue shapes are there ?"])
    assert ids.shape == (2, 7) and ids.dtype == np.int64 and list(lengths) == [6, 7]
    assert ids[0, 6] == PAD_ID and (ids[1] != PAD_ID).all()
    assert [QA_WORDS[i] for i in ids[0, :6]] == "is there a red circle ?".split()
    with pytest.raises(ValueError, match="unknown word 'purple'"):
        encode_questions(["is there a purple circle ?"])
    with pytest.raises(ValueError, match="max_len"):
        encode_questions(["is there a red circle ?"], max_len=3)
    with pytest.raises(ValueError, match="empty question"):
        encode_questions(["is there a red circle ?", ""])
    ids, lengths = encode_questions(["", "how big is it ?"], allow_empty=True)   # a dialog's histories
    assert ids.shape == (2, 5) and list(lengths) == [0, 5] and (ids[0] == PAD_ID).all()
    ids, lengths = encode_questions(["", ""], allow_empty=True)
    assert ids.shape == (2, 1) and list(lengths) == [0, 0]
    assert set(ANSWERS) <= set(QA_WORDS)


def test_dialog_references_need_the_history():
    d = make_dialogs(300, seed=1)
    assert len(d) > 300
    by_scene = defaultdict(list)
    for i, (s, j, qs, ans) in enumerate(zip(d.scene, d.subject, d.questions, d.answers)):
        objs = d.objects[s]
        subject = objs[j]
        first = qs[0].split()
        # Round 1 names the subject by its shape, and that shape is unique in the scene.
        assert [o["shape"] for o in objs].count(first[4]) == 1 and subject["shape"] == first[4]
        assert ans[0] == subject["color"]
        # Rounds 2 and 3 name no colour or shape: only the history says what "it" is.
        for q in qs[1:]:
            assert not set(q.split()) & ({"red", "green", "blue", "yellow", "circle", "square", "triangle"})
        others = [o for k, o in enumerate(objs) if k != j]
        assert ans[1] == subject["size"]
        assert ans[2] == ("yes" if any(o["color"] == subject["color"] for o in others) else "no")
        by_scene[s].append(i)
    # Same scene, same later questions, different answers: the answer is a function of the
    # history, not of (image, question).
    differ = 0
    for ids in by_scene.values():
        for a in ids:
            for b in ids:
                if a < b:
                    assert d.questions[a][1:] == d.questions[b][1:]
                    differ += d.answers[a][1:] != d.answers[b][1:]
    assert differ >= 20


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 10, "n_scenes": 50, "split": "odd"}, "split"), ({"n": 3, "n_scenes": 50, "split": "balanced"}, "even"),
    ({"n": 10, "n_scenes": 50, "bias": 2.0}, "bias"), ({"n": 0, "n_scenes": 50}, "positive"),
])
def test_make_vqa_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_vqa(**kwargs)
