"""Retrain Lab 3's character-LSTM checkpoint (``make checkpoints``).

Writes ``utils/artefacts/char_lstm_python_code.pt`` and its ``.json`` sidecar with the
recipe in ``utils.charlstm.DEFAULTS`` (32 minutes on a 2-core CPU, one thread).
"""

from __future__ import annotations

import argparse
import platform
import sys

import numpy as np

from ..charlstm import DEFAULT_NAME, DEFAULTS, _torch, save_char_lstm, train_char_lstm
from ..data import load_text


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Train the Lab 3 character LSTM on the Python stdlib sources.")
    for k, v in DEFAULTS.items():
        p.add_argument(f"--{k.replace('_', '-')}", type=(float if k == "lr" else int), default=v)
    p.add_argument("--name", default=DEFAULT_NAME)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: reproducible)")
    args = p.parse_args(argv)
    torch = _torch()
    torch.set_num_threads(args.threads)
    text, vocab = load_text("python-code", max_chars=args.max_chars)
    model, info = train_char_lstm(text, vocab, steps=args.steps, hidden=args.hidden, embed=args.embed,
                                  batch=args.batch, seq_len=args.seq_len, lr=args.lr, seed=args.seed,
                                  val_chars=args.val_chars)
    losses = np.asarray(info.pop("losses"))
    meta = {k: getattr(args, k) for k in DEFAULTS}
    meta.update(info, corpus="python-code", corpus_chars=len(text), vocab_size=len(vocab),
                python=platform.python_version(), torch=torch.__version__, threads=args.threads,
                final_train_loss_nats=float(losses[-100:].mean()),
                train_loss_curve_nats=[round(float(v), 4) for v in losses.reshape(-1, 50).mean(1)]
                if len(losses) % 50 == 0 else [])
    path = save_char_lstm(model, vocab, meta, args.name)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): validation {info['val_bits_per_char']:.3f} bits/char, "
          f"{info['wall_time_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
