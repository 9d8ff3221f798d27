import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.seqmodels import (
    CharLSTM,
    CharTransformer,
    n_params,
    random_windows,
    sinusoidal_positions,
    target_nats,
    train_for,
)


def test_sinusoidal_positions_values():
    pe = sinusoidal_positions(5, 4)
    assert pe.shape == (5, 4) and pe.dtype == torch.float32
    t = torch.arange(5, dtype=torch.float64)
    assert torch.allclose(pe[:, 0].double(), torch.sin(t), atol=1e-7)
    assert torch.allclose(pe[:, 3].double(), torch.cos(t / 100.0), atol=1e-7)
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positions(3, 5)


def test_transformer_is_causal_and_shaped():
    torch.manual_seed(0)
    model = CharTransformer(11, d_model=16, n_heads=2, n_layers=2, d_ff=32, ctx=12).eval()
    ids = torch.randint(0, 11, (3, 9))
    out = model(ids)
    assert out.shape == (3, 9, 11)
    changed = ids.clone()
    changed[:, 6] = (changed[:, 6] + 1) % 11
    out2 = model(changed)
    assert torch.equal(out[:, :6], out2[:, :6])          # the past does not see the future
    assert not torch.allclose(out[:, 6:], out2[:, 6:])
    with pytest.raises(ValueError, match="T <= 12"):
        model(torch.zeros(1, 13, dtype=torch.long))


def test_parameter_counts_match_lab6():
    # Lab 6's models on python-docs (V = 103): 423,271 and 423,055 parameters.
    assert n_params(CharTransformer(103)) == 423_271
    assert n_params(CharLSTM(103)) == 423_055


def test_lstm_matches_nn_lstm():
    torch.manual_seed(1)
    model = CharLSTM(7, emb=3, hidden=5)
    ids = torch.randint(0, 7, (2, 6))
    ref = model.head(model.lstm(model.emb(ids))[0])
    assert torch.equal(model(ids), ref)


def test_random_windows_are_shifted_slices():
    data = torch.arange(50)
    x, y = random_windows(data, 8, 4, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 8)
    assert torch.equal(y, x + 1)
    with pytest.raises(ValueError, match="ctx \\+ 2"):
        random_windows(torch.arange(9), 8, 1, torch.Generator())


def test_target_nats_scores_each_target_once():
    torch.manual_seed(2)
    model = CharTransformer(6, d_model=8, n_heads=2, n_layers=1, d_ff=16, ctx=4)
    ids = torch.randint(0, 6, (15,))
    nats = target_nats(model, ids, ctx=4, batch=2)
    assert nats.shape == (12,) and nats.dtype == torch.float64      # 14 targets, 3 whole windows of 4
    with torch.no_grad():
        expected = torch.cat([F.cross_entropy(model(ids[k:k + 4][None])[0].double(), ids[k + 1:k + 5], reduction="none")
                              for k in (0, 4, 8)])
    assert torch.allclose(nats, expected, atol=1e-6)
    assert model.training                                              # mode restored


def test_train_for_learns_a_cycle():
    torch.manual_seed(3)
    data = torch.arange(400) % 5                                        # 0 1 2 3 4 0 1 ...
    model = CharLSTM(5, emb=4, hidden=16)
    ev = lambda m: target_nats(m, data[:41], ctx=8).mean().item() / math.log(2)   # noqa: E731
    out = train_for(model, data, ctx=8, batch=8, budget_s=1.0, lr=3e-2, evaluate=ev, n_evals=3, progress=False)
    hist = out["history"]
    assert hist.shape[1] == 2 and hist[0, 0] == 0.0 and len(hist) >= 2
    assert out["seconds"] >= 1.0 and out["steps"] > 0
    assert np.isclose(out["tokens_per_s"], out["steps"] * 64 / out["seconds"])
    assert hist[-1, 1] < 0.5 * hist[0, 1]
    with pytest.raises(ValueError, match="positive"):
        train_for(model, data, 8, 8, budget_s=0, lr=1e-3)
