"""Visual question answering and visual dialog on Lab 4's shapes scenes (offline, deterministic).

Questions come from a small grammar over each scene's objects (:mod:`utils.data.shapes`),
four types, each with one-word answers::

    attribute  what colour is the triangle ?                          red / green / blue / yellow
    count      how many red shapes are there ?                        zero / one / two
    exists     is there a blue circle ?                               yes / no
    spatial    what colour is the shape left of the blue circle ?     red / green / blue / yellow

A question is asked only where it has exactly one answer in its type's answer set (a count
question is not asked about a colour that three objects share: such scenes are about one in a
thousand, too rare to balance): "the triangle" needs exactly one
triangle in the scene; a spatial question needs its reference object and exactly one other
object in that relation to it (the relation of :func:`utils.data.shapes.scene_captions`: the
axis with the larger centre offset decides).

:func:`make_vqa` draws question-answer pairs in two splits:

* ``"biased"``: as in real VQA data, the answer is predictable from the question for many
  questions: every question string has a *favourite* answer (fixed by a checksum of the
  string), and with probability ``bias`` the pair is drawn with that answer;
* ``"balanced"``: the VQA v2 idea (Goyal et al. 2017): questions come in pairs, the same
  question on two scenes with different answers. Only question strings for which the scene
  pool holds every answer of the type are asked, the first answer of a pair is drawn
  uniformly from the type's answer set and the second uniformly from the others, so each
  answer is uniform over the K answers of its type *given the question string*: a blind
  model is at chance, 1/K (1/3 for count, 1/2 for exists, 1/4 for the colour questions).

Every question except the yes/no ones also has a multiple-choice form (Visual7W style):
four candidates, the right answer and three decoys (:data:`CHOICE_SETS`: the other answers
of its type; for count questions the decoys include "three"), shuffled.

:func:`make_dialogs` writes three-round dialogs about one object of a scene; rounds 2
and 3 ("how big is it ?", "is there another one of that colour ?") refer back to the
object named in round 1, so they can only be answered with the dialog history.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .shapes import COLORS, SHAPES, make_shapes

QUESTION_TYPES = ("attribute", "count", "exists", "spatial")
NUMBERS = ("zero", "one", "two", "three")
SPATIAL = ("above", "below", "left of", "right of")
ANSWER_SETS = {"attribute": tuple(COLORS), "count": NUMBERS[:3], "exists": ("yes", "no"),
               "spatial": tuple(COLORS), "size": ("small", "large")}
# Multiple-choice candidates (4 per question); "three" is a decoy for count questions.
CHOICE_SETS = {"attribute": tuple(COLORS), "count": NUMBERS, "spatial": tuple(COLORS)}
ANSWERS = tuple(COLORS) + NUMBERS[:3] + ("yes", "no", "small", "large")
PAD_ID, UNK_ID = 0, 1
QA_WORDS = ("<PAD>", "<UNK>") + tuple(sorted(
    set(COLORS) | set(SHAPES) | set(NUMBERS) | {"yes", "no", "small", "large"}
    | set("what colour is the how many shapes are there a shape of above below left right ? "
          "another one that big it".split())))
WORD_ID = {w: i for i, w in enumerate(QA_WORDS)}
ANSWER_ID = {a: i for i, a in enumerate(ANSWERS)}
DIALOG_QUESTIONS = ("what colour is the {shape} ?", "how big is it ?", "is there another one of that colour ?")


def relation(a: dict, b: dict) -> str:
    """Where object ``a`` lies relative to ``b``: the axis with the larger centre offset wins."""
    dx, dy = a["cx"] - b["cx"], a["cy"] - b["cy"]
    if abs(dy) >= abs(dx):
        return "above" if dy < 0 else "below"
    return "left of" if dx < 0 else "right of"


def scene_questions(objects: list[dict]) -> list[tuple[str, str, str, int]]:
    """Every question the grammar can ask about ``objects`` with a unique answer.

    Returns ``(question, answer, type, named slot)`` tuples in a fixed order; the named slot
    is the object the question names (the triangle, the blue circle, the reference object
    of a spatial question), or -1 when it names no single present object.
    """
    out = []
    for shape in SHAPES:
        slots = [j for j, o in enumerate(objects) if o["shape"] == shape]
        if len(slots) == 1:
            out.append((f"what colour is the {shape} ?", objects[slots[0]]["color"], "attribute", slots[0]))
    for color in COLORS:
        k = sum(o["color"] == color for o in objects)
        if k < 3:
            out.append((f"how many {color} shapes are there ?", NUMBERS[k], "count", -1))
    for color in COLORS:
        for shape in SHAPES:
            slots = [j for j, o in enumerate(objects) if o["color"] == color and o["shape"] == shape]
            out.append((f"is there a {color} {shape} ?", "yes" if slots else "no", "exists",
                        slots[0] if slots else -1))
    for r, ref in enumerate(objects):
        for rel in SPATIAL:
            hits = [o for j, o in enumerate(objects) if j != r and relation(o, ref) == rel]
            if len(hits) == 1:
                out.append((f"what colour is the shape {rel} the {ref['color']} {ref['shape']} ?",
                            hits[0]["color"], "spatial", r))
    return out


def favourite_answer(question: str, qtype: str) -> str:
    """The answer the biased split favours for ``question`` (fixed by a CRC-32 of the string)."""
    answers = ANSWER_SETS[qtype]
    return answers[zlib.crc32(question.encode()) % len(answers)]


@dataclass
class VQAData:
    """Question-answer pairs about a pool of scenes.

    images : float32 (S, 3, H, W) scenes; masks : bool (S, 3, H, W) object masks; objects : S lists.
    scene : int64 (n,) the scene of each question; questions, answers, qtypes : n strings.
    named : int64 (n,) slot of the object the question names, -1 if none.
    pair : int64 (n,) index of the paired question (same question, other scene, other
        answer) in the balanced split; -1 in the biased split.
    choices : n tuples of 4 candidate answers (the right one among them), None for yes/no.
    """

    images: np.ndarray
    masks: np.ndarray
    objects: list
    scene: np.ndarray
    questions: list
    answers: list
    qtypes: list
    named: np.ndarray
    pair: np.ndarray
    choices: list
    split: str

    def __len__(self) -> int:
        return len(self.questions)

    def answer_ids(self) -> np.ndarray:
        """int64 (n,) ids of the answers in :data:`ANSWERS`."""
        return np.array([ANSWER_ID[a] for a in self.answers], dtype=np.int64)


def encode_questions(questions, max_len: int | None = None,
                     allow_empty: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (n, T) int64 padded with ``PAD_ID`` = 0, and lengths (n,) int64.

    Raises ValueError naming the first unknown word (the vocabulary is :data:`QA_WORDS`), and
    for an empty text unless ``allow_empty`` (a dialog's first round has an empty history:
    length 0, and T is at least 1).
    """
    rows = []
    for q in questions:
        words = q.split()
        unknown = [w for w in words if w not in WORD_ID]
        if unknown:
            raise ValueError(f"unknown word {unknown[0]!r} in {q!r}; the vocabulary is: "
                             + " ".join(QA_WORDS[2:]))
        if not words and not allow_empty:
            raise ValueError("empty question")
        rows.append([WORD_ID[w] for w in words])
    T = max(1, max(len(r) for r in rows)) if max_len is None else max_len
    if any(len(r) > T for r in rows):
        raise ValueError(f"a question is longer than max_len={T}")
    ids = np.full((len(rows), T), PAD_ID, dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
    return ids, np.array([len(r) for r in rows], dtype=np.int64)


def make_vqa(n: int, n_scenes: int, split: str = "biased", seed: int = 0, size: int = 32,
             bias: float = 0.75) -> VQAData:
    """``n`` questions about ``n_scenes`` shapes scenes (deterministic from ``seed``).

    Each question: a type drawn uniformly, a question string drawn uniformly among those of
    that type the scene pool can answer (``"balanced"``: only those for which the pool holds
    every answer of the type), then an answer (``"biased"``: the favourite answer with
    probability ``bias``, else uniform over the answers the pool holds; ``"balanced"``:
    uniform over the type's answer set, plus a paired question with another answer drawn
    uniformly from the rest), then a scene with that answer, uniformly.
    """
    if split not in ("biased", "balanced"):
        raise ValueError(f"split must be 'biased' or 'balanced', got {split!r}")
    if not isinstance(n, (int, np.integer)) or n <= 0 or (split == "balanced" and n % 2):
        raise ValueError(f"n must be a positive integer (even for the balanced split), got {n!r}")
    if not 0.0 <= bias <= 1.0:
        raise ValueError(f"bias must be in [0, 1], got {bias!r}")
    scenes = make_shapes(n_scenes, size=size, seed=seed, captions_per_image=1)
    index: dict = {t: {} for t in QUESTION_TYPES}        # type -> question -> answer -> [(scene, named)]
    for s, objs in enumerate(scenes.objects):
        for q, a, t, named in scene_questions(objs):
            index[t].setdefault(q, {}).setdefault(a, []).append((s, named))
    rng = np.random.default_rng([seed, 7])
    rows: list[tuple] = []
    pair: list[int] = []
    while len(rows) < n:
        t = QUESTION_TYPES[int(rng.integers(len(QUESTION_TYPES)))]
        qs = sorted(q for q, by in index[t].items() if split == "biased" or len(by) == len(ANSWER_SETS[t]))
        if not qs:
            raise ValueError(f"too few scenes ({n_scenes}) to ask {t} questions; use more")
        q = qs[int(rng.integers(len(qs)))]
        avail = [a for a in ANSWER_SETS[t] if a in index[t][q]]
        if split == "biased":
            fav = favourite_answer(q, t)
            a = fav if fav in avail and rng.random() < bias else avail[int(rng.integers(len(avail)))]
            picks = [a]
        else:
            a = avail[int(rng.integers(len(avail)))]
            others = [b for b in avail if b != a]
            picks = [a, others[int(rng.integers(len(others)))]]
        for k, a in enumerate(picks):
            cands = index[t][q][a]
            s, named = cands[int(rng.integers(len(cands)))]
            rows.append((s, q, a, t, named))
            pair.append(len(rows) if (split == "balanced" and k == 0) else
                        (len(rows) - 2 if split == "balanced" else -1))
    choices = []
    for *_, t, _ in rows:
        if t == "exists":
            choices.append(None)
        else:
            c = list(CHOICE_SETS[t])
            choices.append(tuple(c[i] for i in rng.permutation(len(c))))
    return VQAData(scenes.images, scenes.masks, scenes.objects,
                   np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows],
                   [r[2] for r in rows], [r[3] for r in rows], np.array([r[4] for r in rows], dtype=np.int64),
                   np.array(pair, dtype=np.int64), choices, split)


@dataclass
class DialogData:
    """Three-round dialogs about the objects of a pool of scenes.

    images, masks, objects : as in :class:`VQAData`.
    scene : int64 (n,) scene of each dialog; subject : int64 (n,) the slot of the object the
        dialog is about; questions, answers : n lists of 3 strings (one per round).
    """

    images: np.ndarray
    masks: np.ndarray
    objects: list
    scene: np.ndarray
    subject: np.ndarray
    questions: list
    answers: list

    def __len__(self) -> int:
        return len(self.questions)


def make_dialogs(n_scenes: int, seed: int = 0, size: int = 32) -> DialogData:
    """One dialog per object whose shape is unique in its scene, for ``n_scenes`` scenes.

    Round 1 names the object by its shape ("what colour is the circle ?"); round 2 ("how big
    is it ?": its size) and round 3 ("is there another one of that colour ?": another object
    with the colour of the subject) refer back to it. A scene with two such objects has two
    dialogs with the same questions in rounds 2 and 3, whose answers may differ.
    """
    if not isinstance(n_scenes, (int, np.integer)) or n_scenes <= 0:
        raise ValueError(f"n_scenes must be a positive integer, got {n_scenes!r}")
    scenes = make_shapes(n_scenes, size=size, seed=seed, captions_per_image=1)
    scene, subject, questions, answers = [], [], [], []
    for s, objs in enumerate(scenes.objects):
        for j, o in enumerate(objs):
            if sum(p["shape"] == o["shape"] for p in objs) != 1:
                continue
            another = any(p["color"] == o["color"] for k, p in enumerate(objs) if k != j)
            scene.append(s)
            subject.append(j)
            questions.append([DIALOG_QUESTIONS[0].format(shape=o["shape"]), DIALOG_QUESTIONS[1],
                              DIALOG_QUESTIONS[2]])
            answers.append([o["color"], o["size"], "yes" if another else "no"])
    return DialogData(scenes.images, scenes.masks, scenes.objects, np.array(scene, dtype=np.int64),
                      np.array(subject, dtype=np.int64), questions, answers)
