import json

import numpy as np
import pytest
import torch

from utils.charlstm import CHECKPOINT_DIR, DEFAULT_NAME, load_char_lstm, make_model, save_char_lstm, train_char_lstm
from utils.data import CharVocab
from utils.plotting import activation_html
from utils.widgets import cell_browser


def test_trace_matches_nn_lstm():
    torch.manual_seed(0)
    model = make_model(7, hidden=5, embed=3)
    ids = np.array([1, 4, 2, 6, 0, 3])
    h, c, gates = model.trace(ids)
    out, (hT, cT) = model.lstm(model.embed(torch.as_tensor(ids)[None]))
    assert h.shape == c.shape == (6, 5) and set(gates) == set("ifgo")
    assert np.allclose(h, out[0].detach().numpy(), atol=1e-6)
    assert np.allclose(c[-1], cT[0, 0].detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match=r"\(T,\)"):
        model.trace(np.zeros((2, 3), dtype=np.int64))


def test_train_save_load_roundtrip(tmp_path):
    text = "def f(x):\n    return x + 1  # add\n" * 60
    vocab = CharVocab(text)
    model, info = train_char_lstm(text, vocab, steps=3, hidden=8, embed=4, batch=2, seq_len=10,
                                  val_chars=200, progress=False)
    assert len(info["losses"]) == 3 and np.isfinite(info["val_bits_per_char"])
    save_char_lstm(model, vocab, {"seed": 0}, name="tiny", folder=tmp_path)
    loaded, vocab2, meta = load_char_lstm("tiny", folder=tmp_path)
    assert vocab2.chars == vocab.chars and meta == {"seed": 0}
    ids = vocab.encode(text[:20])
    assert np.allclose(loaded.trace(ids)[1], model.trace(ids)[1], atol=1e-2)   # float16 storage
    with pytest.raises(FileNotFoundError, match="make checkpoints"):
        load_char_lstm("missing", folder=tmp_path)
    with pytest.raises(ValueError):
        train_char_lstm(text[:100], vocab, steps=1, val_chars=200, progress=False)


def test_committed_checkpoint():
    path = CHECKPOINT_DIR / f"{DEFAULT_NAME}.pt"
    assert path.exists() and path.stat().st_size < 5e6
    meta = json.loads(path.with_suffix(".json").read_text())
    for key in ("seed", "steps", "wall_time_s", "val_bits_per_char", "python"):
        assert key in meta
    model, vocab, _ = load_char_lstm()
    assert model.hidden == meta["hidden"] and len(vocab) == meta["vocab_size"]


def test_activation_html_and_static_browser(capsys):
    html = activation_html("a<b\n", [1.0, -1.0, 0.0, 0.5], title="t")
    assert "&lt;" in html and "rgb(255, 0, 0)" in html and "rgb(0, 0, 255)" in html
    with pytest.raises(ValueError, match=r"\(4,\)"):
        activation_html("abcd", [1.0])
    assert cell_browser("ab", np.zeros((2, 3)), cells=[1], static=True) is None
    with pytest.raises(ValueError, match=r"\(2, H\)"):
        cell_browser("ab", np.zeros((3, 3)), static=True)
