import datetime as dt

import numpy as np
import pytest

from utils.data import (
    DATE_BOS,
    DATE_FORMATS,
    DATE_SRC_VOCAB,
    DATE_TGT_VOCAB,
    date_pairs,
    decode_iso,
    decode_src,
    encode_dates,
    reversal_task,
)
from utils.data.dates import format_date, ordinal_words


def test_ordinals():
    assert [ordinal_words(d) for d in (1, 2, 3, 11, 20, 21, 22, 30, 31)] == [
        "first", "second", "third", "eleventh", "twentieth", "twenty-first", "twenty-second",
        "thirtieth", "thirty-first"]
    with pytest.raises(ValueError, match=r"\[1, 31\]"):
        ordinal_words(32)


def test_formats_match_their_examples():
    d = dt.date(1992, 3, 21)
    assert tuple(format_date(d, f) for f in range(len(DATE_FORMATS))) == DATE_FORMATS
    assert format_date(dt.date(2005, 1, 1), 5) == "january first, two thousand five"
    assert format_date(dt.date(1905, 1, 1), 5) == "january first, nineteen oh five"
    with pytest.raises(ValueError, match="fmt"):
        format_date(d, len(DATE_FORMATS))


def test_pairs_deterministic_and_correct():
    a, b = date_pairs(200, seed=3), date_pairs(200, seed=3)
    assert a == b and a != date_pairs(200, seed=4)
    for src, tgt in a:
        d = dt.date.fromisoformat(tgt)
        assert dt.date(1950, 1, 1) <= d <= dt.date(2049, 12, 31)
        assert src in {format_date(d, f) for f in range(len(DATE_FORMATS))}
    assert {s for s, _ in date_pairs(50, formats=[2])} == {s for s, _ in date_pairs(50, formats=[2])}
    assert all(s[2] == "." for s, _ in date_pairs(50, formats=[2]))


def test_encode_roundtrip():
    pairs = date_pairs(64, seed=1)
    src, tgt = encode_dates(pairs)
    assert src.dtype == tgt.dtype == np.int64 and tgt.shape == (64, 10)
    assert src.shape[1] == max(len(s) for s, _ in pairs)
    for i, (s, t) in enumerate(pairs):
        assert decode_src(src[i]) == s and decode_iso(tgt[i]) == t
    assert decode_iso([DATE_BOS] + list(tgt[0])) == pairs[0][1]
    assert len(DATE_TGT_VOCAB) == 12 and DATE_SRC_VOCAB[0] == "<pad>"
    assert encode_dates(pairs, src_len=60)[0].shape == (64, 60)


def test_bad_inputs():
    with pytest.raises(ValueError, match="positive integer"):
        date_pairs(0)
    with pytest.raises(ValueError, match="indices"):
        date_pairs(5, formats=[9])
    with pytest.raises(ValueError, match="src_len"):
        encode_dates(date_pairs(5), src_len=3)
    with pytest.raises(ValueError, match="DATE_SRC_CHARS"):
        encode_dates([("21 MARCH 1992", "1992-03-21")])
    with pytest.raises(ValueError, match="10 characters"):
        encode_dates([("21 march 1992", "1992-3-21")])
    with pytest.raises(ValueError, match="T"):
        reversal_task(4, T=1)


def test_reversal():
    x, y = reversal_task(100, T=16, n_symbols=10, seed=0)
    assert x.shape == y.shape == (100, 16) and x.min() >= 0 and x.max() <= 9
    np.testing.assert_array_equal(y, x[:, ::-1])
    np.testing.assert_array_equal(x, reversal_task(100, seed=0)[0])
