"""Compact sequence models and an equal-budget trainer (Lab 6's character models, reused by Lab 7).

Lab 6 builds a causal character Transformer from its own attention, LayerNorm and pre-norm
blocks, races it against a character LSTM at the same wall-clock budget and scores both in
bits per character. Lab 7 needs the same two models again (for characters and for byte-pair
tokens) without making students retype Lab 6, so this module holds compact versions built on
PyTorch's own layers: :class:`CharTransformer` (``nn.TransformerEncoderLayer``, pre-norm,
causal, sinusoidal positions) and :class:`CharLSTM` (``nn.LSTM``). Nothing here is a lab
solution: Lab 6's graded pieces are its hand-written attention and blocks.

:func:`train_for` trains any next-token model on random windows until a budget of training
seconds has passed (evaluation time is not counted); :func:`target_nats` scores a model on a
fixed token sequence, every target exactly once, so that totals in nats can be converted to
bits per character whatever the tokenisation.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal_positions(T: int, d_model: int) -> torch.Tensor:
    """Vaswani et al.'s positional encodings, float32 of shape (T, d_model); d_model must be even."""
    if T < 1 or d_model < 2 or d_model % 2:
        raise ValueError(f"need T >= 1 and an even d_model >= 2, got T={T}, d_model={d_model}")
    t = torch.arange(T, dtype=torch.float64)[:, None]
    freq = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.empty(T, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(t * freq), torch.cos(t * freq)
    return pe.float()


class CharTransformer(nn.Module):
    """A decoder-only (GPT-style) Transformer over a vocabulary of V tokens.

    ``Embedding(V, D) * sqrt(D) + sinusoidal positions -> n_layers pre-norm causal blocks
    (nn.TransformerEncoderLayer, ReLU, no dropout) -> LayerNorm -> Linear(D, V)``: Lab 6's
    ``CharTransformer`` with PyTorch's block (same parameter count). ``forward(ids)`` maps
    ids (N, T) int64 with T <= ctx to logits (N, T, V).
    """

    def __init__(self, V: int, d_model: int = 128, n_heads: int = 4, n_layers: int = 2, d_ff: int = 512,
                 ctx: int = 128):
        super().__init__()
        if V < 1 or d_model % n_heads:
            raise ValueError(f"need V >= 1 and d_model divisible by n_heads, got V={V}, {d_model}, {n_heads}")
        self.d_model, self.ctx = d_model, ctx
        self.emb = nn.Embedding(V, d_model)
        nn.init.normal_(self.emb.weight, std=d_model ** -0.5)
        self.register_buffer("pe", sinusoidal_positions(ctx, d_model))
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout=0.0, batch_first=True, norm_first=True)
            for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, V)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dim() != 2 or ids.shape[1] > self.ctx:
            raise ValueError(f"expected ids of shape (N, T) with T <= {self.ctx}, got {tuple(ids.shape)}")
        T = ids.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(T, device=ids.device)
        x = self.emb(ids) * math.sqrt(self.d_model) + self.pe[:T]
        for blk in self.blocks:
            x = blk(x, src_mask=causal, is_causal=True)
        return self.head(self.norm(x))


class CharLSTM(nn.Module):
    """``Embedding(V, emb) -> nn.LSTM(emb, hidden) -> Linear(hidden, V)``: Lab 6's character LSTM.

    ``forward(ids)`` maps ids (N, T) int64 to logits (N, T, V), from a zero state."""

    def __init__(self, V: int, emb: int = 64, hidden: int = 280, n_layers: int = 1):
        super().__init__()
        self.emb = nn.Embedding(V, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=n_layers, batch_first=True)
        self.head = nn.Linear(hidden, V)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dim() != 2:
            raise ValueError(f"expected ids of shape (N, T), got {tuple(ids.shape)}")
        return self.head(self.lstm(self.emb(ids))[0])


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def random_windows(data: torch.Tensor, ctx: int, batch: int, gen: torch.Generator):
    """``batch`` random windows of a 1-D id tensor: inputs (batch, ctx) and next-token targets (batch, ctx)."""
    if data.dim() != 1 or len(data) < ctx + 2:
        raise ValueError(f"need a 1-D tensor of at least ctx + 2 = {ctx + 2} ids, got {tuple(data.shape)}")
    starts = torch.randint(0, len(data) - ctx - 1, (batch,), generator=gen)
    x = torch.stack([data[s:s + ctx] for s in starts])
    y = torch.stack([data[s + 1:s + ctx + 1] for s in starts])
    return x, y


@torch.no_grad()
def target_nats(model: nn.Module, ids: torch.Tensor, ctx: int, batch: int = 64) -> torch.Tensor:
    """Negative log-likelihood in nats of every target ``ids[1:1 + n]``, each scored exactly once.

    The sequence is cut into consecutive windows: inputs ``ids[k*ctx : (k+1)*ctx]`` predict
    ``ids[k*ctx+1 : (k+1)*ctx+1]`` (each prediction sees the window's prefix only). Returns a float64
    tensor of shape (n,), n = ctx * ((len(ids) - 1) // ctx): a tail shorter than one window is dropped.
    """
    if ids.dim() != 1 or len(ids) < ctx + 1:
        raise ValueError(f"need a 1-D tensor of at least ctx + 1 = {ctx + 1} ids, got {tuple(ids.shape)}")
    n_win = (len(ids) - 1) // ctx
    x = ids[:n_win * ctx].reshape(n_win, ctx)
    y = ids[1:n_win * ctx + 1].reshape(n_win, ctx)
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, n_win, batch):
        logits = model(x[i:i + batch].to(dev))
        out.append(F.cross_entropy(logits.flatten(0, 1).double(), y[i:i + batch].flatten().to(dev),
                                   reduction="none").cpu())
    model.train(was_training)
    return torch.cat(out)


def train_for(model: nn.Module, data: torch.Tensor, ctx: int, batch: int, budget_s: float, lr: float,
              evaluate=None, n_evals: int = 6, seed: int = 0, clip: float = 1.0, progress: bool = True,
              desc: str = ""):
    """Train ``model`` with Adam on random windows of ``data`` until ``budget_s`` seconds of training.

    ``evaluate(model) -> float`` (optional) is called at the start and about ``n_evals`` times during
    training; its time is not counted in the budget. Gradients are clipped to norm ``clip``.
    Returns ``dict(history=array (k, 2) of (training seconds, evaluate()), tokens_per_s, steps, seconds)``.
    """
    if budget_s <= 0 or lr <= 0:
        raise ValueError(f"budget_s and lr must be positive, got {budget_s}, {lr}")
    from tqdm.auto import tqdm

    gen = torch.Generator().manual_seed(seed)
    dev = next(model.parameters()).device
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = [(0.0, evaluate(model))] if evaluate else []
    trained_s, tokens, step = 0.0, 0, 0
    bar = tqdm(total=round(budget_s), desc=desc, unit="s", disable=not progress)
    model.train()
    while trained_s < budget_s:
        t0 = time.perf_counter()
        x, y = random_windows(data, ctx, batch, gen)
        logits = model(x.to(dev))
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten().to(dev))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        trained_s += time.perf_counter() - t0
        tokens += batch * ctx
        step += 1
        bar.update(round(trained_s) - bar.n)
        if evaluate and (trained_s >= len(history) * budget_s / n_evals or trained_s >= budget_s):
            history.append((trained_s, evaluate(model)))
    bar.close()
    return dict(history=np.array(history, dtype=float).reshape(-1, 2), tokens_per_s=tokens / trained_s,
                steps=step, seconds=trained_s)
