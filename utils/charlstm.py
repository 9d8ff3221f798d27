"""A character-level LSTM language model and its committed checkpoint (Lab 3, interpretable cells).

Lab 3 looks for LSTM cells that track properties of Python source code (inside a string,
inside a comment, bracket depth, indentation, position in the line), after Karpathy,
Johnson and Fei-Fei (2016). Finding clean cells needs more training than a class period,
so the course ships a small checkpoint, ``utils/artefacts/char_lstm_python_code.pt`` with a
sidecar ``.json`` (seed, steps, wall time, validation bits per character), trained
reproducibly by ``utils.instructor.train_charlstm``. :func:`load_char_lstm`
loads it. The model uses ``torch.nn.LSTM``: nothing here is a lab solution (the lab's
graded LSTM is written by the students in NumPy and from ``nn.Parameter``).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from . import ARTEFACTS

CHECKPOINT_DIR = ARTEFACTS  # where the committed checkpoint lives
DEFAULT_NAME = "char_lstm_python_code"

# The recipe of the committed checkpoint (``python -m utils.instructor.train_charlstm``, no options).
DEFAULTS = dict(seed=0, hidden=256, embed=64, steps=15000, batch=32, seq_len=100, lr=2e-3,
                max_chars=None, val_chars=200_000)


def _torch():
    import torch

    return torch


def make_model(vocab_size: int, hidden: int = 256, embed: int = 64):
    """A one-layer character LSTM: ``Embedding(V, E) -> nn.LSTM(E, H) -> Linear(H, V)``."""
    torch = _torch()
    nn = torch.nn

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.vocab_size, self.hidden, self.embed_dim = vocab_size, hidden, embed
            self.embed = nn.Embedding(vocab_size, embed)
            self.lstm = nn.LSTM(embed, hidden, batch_first=True)
            self.head = nn.Linear(hidden, vocab_size)

        def forward(self, ids, state=None):
            """ids (N, T) int64 -> logits (N, T, V), state ((1, N, H), (1, N, H))."""
            out, state = self.lstm(self.embed(ids), state)
            return self.head(out), state

        @torch.no_grad()
        def trace(self, ids):
            """Run over one sequence ``ids`` (T,) from a zero state and return NumPy float64 arrays
            ``(h, c, gates)``: h and c of shape (T, H), gates a dict of (T, H) arrays
            ``i, f, g, o`` (torch's gate order). Computed in NumPy, step by step (fast for one
            sequence on a CPU)."""
            ids = np.asarray(ids)
            if ids.ndim != 1:
                raise ValueError(f"trace expects ids of shape (T,), got {ids.shape}")
            lstm = self.lstm
            W_ih = lstm.weight_ih_l0.double().numpy()
            W_hh = lstm.weight_hh_l0.double().numpy()
            b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).double().numpy()
            xw = self.embed.weight.double().numpy()[ids] @ W_ih.T + b       # (T, 4H)
            H = self.hidden
            h, c = np.zeros(H), np.zeros(H)
            hs, cs, gs = np.empty((len(ids), H)), np.empty((len(ids), H)), np.empty((len(ids), 4, H))
            sig = lambda v: 0.5 * (1.0 + np.tanh(0.5 * v))
            for t in range(len(ids)):
                a = xw[t] + W_hh @ h
                i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
                c = f * c + i * g
                h = o * np.tanh(c)
                hs[t], cs[t], gs[t] = h, c, (i, f, g, o)
            return hs, cs, {k: gs[:, j] for j, k in enumerate("ifgo")}

    return CharLSTM()


def _batches(ids: np.ndarray, batch: int, seq_len: int):
    """Endless truncated-BPTT batches: the corpus cut into ``batch`` contiguous streams,
    read ``seq_len`` characters at a time, so hidden state can be carried across batches."""
    n = (len(ids) - 1) // batch
    streams = ids[: n * batch + 1]
    x_all = streams[:-1][: n * batch].reshape(batch, n)
    y_all = streams[1:][: n * batch].reshape(batch, n)
    while True:
        for s in range(0, n - seq_len + 1, seq_len):
            yield x_all[:, s:s + seq_len], y_all[:, s:s + seq_len], s == 0


def bits_per_char(model, ids: np.ndarray, chunk: int = 5000) -> float:
    """Average cross-entropy of ``model`` on ``ids`` in bits per character (state carried)."""
    torch = _torch()
    model.eval()
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for s in range(0, len(ids) - 1, chunk):
            n = min(chunk, len(ids) - 1 - s)
            x = torch.as_tensor(ids[s:s + n][None])
            y = torch.as_tensor(ids[s + 1:s + 1 + n][None])
            logits, state = model(x, state)
            total += torch.nn.functional.cross_entropy(logits[0], y[0], reduction="sum").item()
            count += y.shape[1]
    model.train()
    return total / count / math.log(2)


def train_char_lstm(text: str, vocab, steps: int, hidden: int = 256, embed: int = 64, batch: int = 32,
                    seq_len: int = 100, lr: float = 2e-3, seed: int = 0, val_chars: int = 200_000,
                    progress: bool = True):
    """Train a :func:`make_model` LSTM on ``text`` (the last ``val_chars`` held out) with Adam,
    cosine learning-rate decay, gradient clipping at norm 1 and truncated BPTT over
    ``seq_len`` characters with the state carried across batches.

    Returns ``(model, info)``; ``info`` holds the losses (nats/char), validation bits/char
    and the wall time.
    """
    torch = _torch()
    if steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if len(text) < 2 * val_chars or val_chars < seq_len:
        raise ValueError(f"text of {len(text)} characters is too short for val_chars={val_chars}")
    torch.manual_seed(seed)
    ids = vocab.encode(text)
    train_ids, val_ids = ids[:-val_chars], ids[-val_chars:]
    model = make_model(len(vocab), hidden, embed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * k / steps)))
    batches = _batches(train_ids, batch, seq_len)
    state, losses = None, []
    t0 = time.time()
    iterator = range(steps)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, desc="char LSTM", mininterval=5)
    for _ in iterator:
        x, y, restart = next(batches)
        if restart:
            state = None
        logits, state = model(torch.as_tensor(x), state)
        state = tuple(s.detach() for s in state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), torch.as_tensor(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
    wall = time.time() - t0
    val_bpc = bits_per_char(model, val_ids)
    return model, dict(losses=losses, val_bits_per_char=val_bpc, wall_time_s=wall, train_chars=len(train_ids),
                       val_chars=len(val_ids))


def save_char_lstm(model, vocab, meta: dict, name: str = DEFAULT_NAME, folder: Path = CHECKPOINT_DIR) -> Path:
    """Write ``folder/name.pt`` (float16 weights, vocabulary, sizes) and ``folder/name.json``."""
    torch = _torch()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pt"
    state = {k: v.half() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "chars": "".join(vocab.chars), "hidden": model.hidden,
                "embed": model.embed_dim}, path)
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def load_char_lstm(name: str = DEFAULT_NAME, folder: Path = CHECKPOINT_DIR):
    """Load a checkpoint written by :func:`save_char_lstm`.

    Returns ``(model, vocab, meta)``: the model in eval mode (float32), its
    :class:`utils.data.CharVocab`, and the sidecar JSON as a dict (seed, steps, wall time,
    validation bits/char, Python version of the corpus).
    """
    torch = _torch()
    from .data import CharVocab

    path = Path(folder) / f"{name}.pt"
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}; the course's copy of utils has it "
                                f"(instructors: `make checkpoints`)")
    blob = torch.load(path, map_location="cpu", weights_only=True)
    vocab = CharVocab(blob["chars"])
    model = make_model(len(vocab), blob["hidden"], blob["embed"])
    model.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    model.eval()
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return model, vocab, meta
