"""Fixtures and drivers that tests use to reach a student's code.

In a notebook every function here runs directly. When the grader runs a test, the
student's functions and objects live in the submission's own process (see
``utils.instructor.grading``) and only plain data comes back from it. A test that must hand the
student an object (a decoder, a model) builds one of the fixtures below: the grader sends
the fixture's data and it is rebuilt in the submission's process. A test that needs
autograd through the student's code calls ``vjp`` or ``jacobian``: given a student object,
the grader runs them in the submission's process and gets back the numbers.
"""

from __future__ import annotations

import functools
import threading

import torch
from torch import nn

from .data.gridnav import NavBatch

_boundary = threading.local()  # .send(name, args, kwargs), set by the grader while it tests


def crosses(fn):
    """Run ``fn`` where the student's objects are: here, or (while grading) in the submission's process."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        send = getattr(_boundary, "send", None)
        if send is not None:
            return send(fn.__name__, args, kwargs)
        return fn(*args, **kwargs)
    return wrapper


@crosses
def vjp(fn, args, cotangent=None, wrt=(), out=None, kwargs=None):
    """``value = fn(*args)``, then the gradient of ``sum(cotangent * value[out])``.

    ``wrt`` lists the positions of the tensor arguments to differentiate; when ``fn`` is an
    ``nn.Module`` its parameters are differentiated too. ``cotangent=None`` means ones (a
    plain sum). Returns ``(value, grads, param_grads)``: the full output of ``fn``, a tuple
    with one gradient per ``wrt`` position (None where unused), and ``{name: grad}``."""
    args = [a.detach().clone().requires_grad_(True) if i in wrt else a for i, a in enumerate(args)]
    value = fn(*args, **(kwargs or {}))
    y = value[out] if out is not None else value
    params = list(fn.named_parameters()) if isinstance(fn, torch.nn.Module) else []
    inputs = [args[i] for i in wrt] + [p for _, p in params]
    if cotangent is None:
        cotangent = torch.ones_like(y)
    grads = torch.autograd.grad(y, inputs, grad_outputs=cotangent.to(y.dtype), allow_unused=True) if inputs else ()
    return value, tuple(grads[:len(wrt)]), {n: g for (n, _), g in zip(params, grads[len(wrt):])}


@crosses
def jacobian(fn, x):
    """d fn(x).flatten() / d x.flatten(), a matrix of shape (fn(x).numel(), x.numel())."""
    shape = x.shape
    return torch.autograd.functional.jacobian(lambda v: fn(v.reshape(shape)).reshape(-1), x.reshape(-1))


@crosses
def sequential(*layers):
    """``nn.Sequential`` of the given modules; the strings "tanh" and "relu" stand for activations."""
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU}
    return nn.Sequential(*(acts[x]() if isinstance(x, str) else x for x in layers))


@crosses
def buffer_names(module):
    """Names of a module's registered buffers, sorted."""
    return sorted(name for name, _ in module.named_buffers())


@crosses
def call_method(obj, name, *args, **kwargs):
    """``getattr(obj, name)(*args, **kwargs)``, for the few methods whose name starts with an underscore."""
    return getattr(obj, name)(*args, **kwargs)


class Fixture:
    """A test object made from plain data only, so that the grader can rebuild it elsewhere."""

    def __remote__(self):
        return type(self).__name__, self._args


class MarkovDecoder(Fixture):
    """A captioning decoder whose next word depends only on the previous word (and the image).

    ``tables[k][u][w]`` is the probability of word ``w`` after ``u`` for images whose feature
    is ``k`` (features are integers stored as floats, one per image; with one table use
    zeros). Implements the decoder interface of Lab 4: ``init_state`` and ``step``."""

    def __init__(self, tables):
        self._args = (tables,)
        self.logp = torch.log(torch.tensor(tables, dtype=torch.float64))

    def init_state(self, features):
        return (features.long().reshape(-1),)

    def step(self, words, state, features):
        if not features.shape[0] == words.shape[0] == state[0].shape[0]:
            raise ValueError("features, words and state disagree on the batch size")
        return self.logp[state[0], words], state, None


def markov_greedy(table, max_len, start=1, end=2):
    """The greedy caption of a one-table ``MarkovDecoder``, computed directly: a list of
    ``max_len`` ids, ``<END>`` (``end``) kept and 0 (``<NULL>``) after it; ties go to the
    smallest id."""
    seq, prev = [], start
    while len(seq) < max_len and prev != end:
        prev = max(range(len(table)), key=lambda w: table[prev][w])
        seq.append(prev)
    return seq + [0] * (max_len - len(seq))


class Alternate(nn.Module, Fixture):
    """A pixel model (Lab 5): logit_i = +30 if pixel i-1 is 0 (or i = 0) else -30, so its
    samples alternate 1, 0, 1, ... in raster order."""

    def __init__(self):
        super().__init__()
        self._args = ()
        self.p = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        flat = x.reshape(x.shape[0], -1)
        prev = nn.functional.pad(flat, (1, 0))[:, :-1]  # x_{i-1}, 0 before the first pixel
        return (30.0 - 60.0 * prev).reshape(x.shape)


class Constant(nn.Module, Fixture):
    """A pixel model (Lab 5) whose logits are ``value`` at every pixel, whatever its input: with
    ``value = 30`` its samples are all ones, with ``-30`` all zeros."""

    def __init__(self, value):
        super().__init__()
        self._args = (float(value),)
        self.value = float(value)
        self.p = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.full_like(x, self.value)


class NavTable(Fixture):
    """A navigation policy (Lab 8) with the interface of the lab's ``Follower``: its logits
    are ``table[prev][front] + turn[heading]``, where ``prev`` is the previous action (4 =
    none yet), ``front`` the cell token straight ahead in the view (index ``front_index``
    of the flattened view) and ``heading`` 0..3; ``table`` is (5, T, 4), ``turn`` (4, 4).
    Its state counts the steps taken."""

    def __init__(self, table, turn, front_index):
        self._args = (table, turn, int(front_index))
        self.table = torch.tensor(table, dtype=torch.float64)
        self.turn = torch.tensor(turn, dtype=torch.float64)
        self.front = int(front_index)

    def start(self, instructions):
        return torch.zeros(instructions.shape[0], dtype=torch.long)

    def step(self, view, heading, prev, state):
        if not view.shape[0] == heading.shape[0] == prev.shape[0] == state.shape[0]:
            raise ValueError("view, heading, prev and state disagree on the batch size")
        return self.table[prev.long(), view[:, self.front].long()] + self.turn[heading.long()], state + 1


class NavEnv(NavBatch, Fixture):
    """Lab 8's navigation environment (:class:`utils.data.gridnav.NavBatch`), made from plain
    arrays so that a test can hand it to a student's rollout."""


FIXTURES = {"MarkovDecoder": MarkovDecoder, "Alternate": Alternate, "Constant": Constant, "NavEnv": NavEnv,
            "NavTable": NavTable}


def rebuild(name, args):
    """A fixture made anew in the process that runs the student's code."""
    return FIXTURES[name](*args)
