"""Toy sequence-to-sequence tasks for the attention lab (deterministic from a seed).

* Date translation: a date written the way people write it ("the twenty-first of
  march 1992", "sat, 21 mar 1992", "21.03.1992", ...) -> its ISO form "1992-03-21".
  Source and target are character sequences; the target always has 10 characters.
  The alignment between them is non-monotonic (the year comes first in the target and
  last in most sources), which is what makes attention maps on it instructive.
* Sequence reversal: ``n_symbols`` symbols, length ``T``; the target is the input read
  backwards, so a model that solves it must attend along the anti-diagonal.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_ORD_ONES = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
             "sixteenth", "seventeenth", "eighteenth", "nineteenth")

# Source alphabet: index 0 is padding. Target alphabet: the 11 ISO characters, then <s>.
DATE_SRC_CHARS = " ,-.0123456789abcdefghijklmnopqrstuvwxyz"
DATE_SRC_VOCAB = ("<pad>",) + tuple(DATE_SRC_CHARS)
DATE_TGT_VOCAB = tuple("0123456789-") + ("<s>",)
DATE_PAD = 0
DATE_BOS = len(DATE_TGT_VOCAB) - 1
DATE_TGT_LEN = 10
DATE_FIRST = _dt.date(1950, 1, 1)
DATE_LAST = _dt.date(2049, 12, 31)
_SRC_STOI = {c: i for i, c in enumerate(DATE_SRC_VOCAB)}
_TGT_STOI = {c: i for i, c in enumerate(DATE_TGT_VOCAB)}


def ordinal_words(day: int) -> str:
    """Day of the month in words: 1 -> "first", 21 -> "twenty-first", 30 -> "thirtieth"."""
    if not isinstance(day, (int, np.integer)) or not 1 <= day <= 31:
        raise ValueError(f"day must be an integer in [1, 31], got {day!r}")
    if day < 20:
        return _ORD_ONES[day]
    tens, ones = divmod(day, 10)
    word = ("twenty", "thirty")[tens - 2]
    if ones == 0:
        return word[:-1] + "ieth"
    return f"{word}-{_ORD_ONES[ones]}"


def _year_words(year: int) -> str:
    """1992 -> "nineteen ninety-two", 2005 -> "two thousand five"."""
    def two(n):
        if n < 20:
            return _ONES[n]
        tens = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")[n // 10 - 2]
        return tens + (f"-{_ONES[n % 10]}" if n % 10 else "")
    hi, lo = divmod(year, 100)
    if hi == 20 and lo < 10:
        return "two thousand" + (f" {_ONES[lo]}" if lo else "")
    if lo == 0:
        return f"{two(hi)} hundred"
    return f"{two(hi)} {two(lo)}" if lo >= 10 else f"{two(hi)} oh {_ONES[lo]}"


def _formats():
    return (
        lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
        lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
        lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
        lambda d: f"{WEEKDAYS[d.weekday()][:3]}, {d.day} {MONTHS[d.month - 1][:3]} {d.year}",
        lambda d: f"the {ordinal_words(d.day)} of {MONTHS[d.month - 1]} {d.year}",
        lambda d: f"{MONTHS[d.month - 1]} {ordinal_words(d.day)}, {_year_words(d.year)}",
    )


DATE_FORMATS = ("21 march 1992", "march 21, 1992", "21.03.1992", "sat, 21 mar 1992",
                "the twenty-first of march 1992", "march twenty-first, nineteen ninety-two")


def format_date(date: _dt.date, fmt: int) -> str:
    """Write ``date`` in source format ``fmt`` (an index into :data:`DATE_FORMATS`)."""
    if not isinstance(fmt, (int, np.integer)) or not 0 <= fmt < len(DATE_FORMATS):
        raise ValueError(f"fmt must be an integer in [0, {len(DATE_FORMATS)}), got {fmt!r}")
    return _formats()[fmt](date)


def date_pairs(n: int, seed: int = 0, formats=None) -> list[tuple[str, str]]:
    """``n`` (source, target) pairs: a random date in 1950..2049 in a random format, and
    its ISO form "YYYY-MM-DD".

    ``formats``: indices into :data:`DATE_FORMATS` to draw from (default: all of them).
    """
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    formats = tuple(range(len(DATE_FORMATS))) if formats is None else tuple(formats)
    if not formats:
        raise ValueError("formats must name at least one format")
    for f in formats:
        if not isinstance(f, (int, np.integer)) or not 0 <= f < len(DATE_FORMATS):
            raise ValueError(f"formats must be indices in [0, {len(DATE_FORMATS)}), got {f!r}")
    rng = np.random.default_rng(seed)
    span = (DATE_LAST - DATE_FIRST).days + 1
    days = rng.integers(0, span, size=n)
    fmts = rng.choice(np.asarray(formats), size=n)
    out = []
    for k, f in zip(days, fmts):
        d = DATE_FIRST + _dt.timedelta(days=int(k))
        out.append((format_date(d, int(f)), d.isoformat()))
    return out


def encode_dates(pairs, src_len: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode (source, target) pairs as integer arrays.

    Returns ``src`` of shape (n, S) (ids into :data:`DATE_SRC_VOCAB`, right-padded with
    ``DATE_PAD`` = 0 up to ``src_len``, default the longest source) and ``tgt`` of shape
    (n, 10) (ids into :data:`DATE_TGT_VOCAB`).
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("pairs must hold at least one (source, target) pair")
    longest = max(len(s) for s, _ in pairs)
    src_len = longest if src_len is None else src_len
    if src_len < longest:
        raise ValueError(f"src_len must be >= the longest source ({longest}), got {src_len}")
    src = np.zeros((len(pairs), src_len), dtype=np.int64)
    tgt = np.zeros((len(pairs), DATE_TGT_LEN), dtype=np.int64)
    for i, (s, t) in enumerate(pairs):
        try:
            src[i, :len(s)] = [_SRC_STOI[c] for c in s]
        except KeyError as exc:
            raise ValueError(f"source character {exc.args[0]!r} is not in DATE_SRC_CHARS") from None
        if len(t) != DATE_TGT_LEN:
            raise ValueError(f"targets must have {DATE_TGT_LEN} characters (YYYY-MM-DD), got {t!r}")
        tgt[i] = [_TGT_STOI[c] for c in t]
    return src, tgt


def decode_src(ids) -> str:
    """Source ids (1-D) -> text, padding dropped."""
    return "".join(DATE_SRC_VOCAB[int(i)] for i in np.asarray(ids).ravel() if int(i) != DATE_PAD)


def decode_iso(ids) -> str:
    """Target ids (1-D) -> text (the <s> token, if present, is dropped)."""
    ids = np.asarray(ids).ravel()
    if ids.size and (ids.min() < 0 or ids.max() >= len(DATE_TGT_VOCAB)):
        raise ValueError(f"target ids must lie in [0, {len(DATE_TGT_VOCAB)})")
    return "".join(DATE_TGT_VOCAB[int(i)] for i in ids if int(i) != DATE_BOS)


def reversal_task(n: int, T: int = 16, n_symbols: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``x`` and ``y`` of shape (n, T), int64 in ``[0, n_symbols)``, with
    ``y[:, t] = x[:, T - 1 - t]``."""
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T (sequence length) must be an integer >= 2, got {T!r}")
    if not isinstance(n_symbols, (int, np.integer)) or n_symbols < 2:
        raise ValueError(f"n_symbols must be an integer >= 2, got {n_symbols!r}")
    x = np.random.default_rng(seed).integers(0, n_symbols, size=(n, T), dtype=np.int64)
    return x, x[:, ::-1].copy()
