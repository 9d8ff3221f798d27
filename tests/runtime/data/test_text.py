
import numpy as np
import pytest
from support.network import closed_port_url

from utils.data import CharVocab, load_text
from utils.data import text as text_module


def test_python_docs_is_offline_and_deterministic():
    text, vocab = load_text("python-docs")
    assert len(text) > 400_000
    again, _ = load_text("python-docs")
    assert text == again
    assert vocab.decode(vocab.encode(text[:500])) == text[:500]


def test_python_code_excludes_tests_and_is_ascii():
    text, vocab = load_text("python-code", max_chars=200_000)
    assert len(text) == 200_000
    assert text.isascii()
    assert "def " in text and "import " in text


def test_max_chars_and_vocab_from_kept_text():
    text, vocab = load_text("python-docs", max_chars=1000)
    assert len(text) == 1000 and set(vocab.chars) == set(text)


def test_unknown_corpus_lists_valid_names():
    with pytest.raises(ValueError) as err:
        load_text("wikipedia")
    for name in ("python-docs", "python-code", "tinyshakespeare"):
        assert name in str(err.value)


@pytest.mark.parametrize("bad", [0, -5, 2.5])
def test_bad_max_chars(bad):
    with pytest.raises(ValueError, match="max_chars"):
        load_text("python-docs", max_chars=bad)


def test_vocab_encode_decode_and_errors():
    v = CharVocab("hello")
    assert v.chars == ["e", "h", "l", "o"]
    np.testing.assert_array_equal(v.encode("hello"), [1, 0, 2, 2, 3])
    assert v.decode([1, 0, 2, 2, 3]) == "hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode("help")
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        v.decode([4])


def test_tinyshakespeare_falls_back_to_offline_default_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    monkeypatch.setattr(text_module, "TINYSHAKESPEARE_URL", closed_port_url())
    with pytest.warns(UserWarning, match="tinyshakespeare unavailable.*python-docs"):
        text, _ = load_text("tinyshakespeare")
    assert text == load_text("python-docs")[0]
