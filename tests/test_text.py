import hashlib
import socket
import warnings

import numpy as np
import pytest

from utils.data import CharVocab, DownloadError, fetch, load_text
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


def _closed_port_url() -> str:
    # A port nobody listens on: the connection is refused at once, offline or not.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/input.txt"


def test_tinyshakespeare_falls_back_to_offline_default_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    monkeypatch.setattr(text_module, "TINYSHAKESPEARE_URL", _closed_port_url())
    with pytest.warns(UserWarning, match="tinyshakespeare unavailable.*python-docs"):
        text, _ = load_text("tinyshakespeare")
    assert text == load_text("python-docs")[0]


def test_corrupt_cached_download_is_discarded_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    (tmp_path / "tinyshakespeare.txt").write_text("First Citizen: truncated")
    monkeypatch.setattr(text_module, "TINYSHAKESPEARE_URL", _closed_port_url())
    with pytest.warns(UserWarning, match="could not download"):
        text, _ = load_text("tinyshakespeare")
    assert "First Citizen" not in text[:100]
    assert not (tmp_path / "tinyshakespeare.txt").exists()


def test_fetch_serves_a_verified_cached_copy_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    payload = b"tiny fixture\n"
    (tmp_path / "fixture.txt").write_bytes(payload)
    path = fetch(_closed_port_url(), hashlib.sha256(payload).hexdigest(), "fixture.txt")
    assert path.read_bytes() == payload


def test_fetch_failure_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    with pytest.raises(DownloadError, match="place the file by hand"):
        fetch(_closed_port_url(), "0" * 64, "missing.txt")


def test_fetch_rejects_a_download_with_the_wrong_checksum(tmp_path, monkeypatch):
    import http.server
    import threading

    served = tmp_path / "srv"
    served.mkdir()
    (served / "file.txt").write_bytes(b"changed upstream")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path / "cache"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            with pytest.raises(DownloadError, match="corrupt or has changed upstream"):
                fetch(f"http://127.0.0.1:{server.server_port}/file.txt", "0" * 64, "file.txt")
    finally:
        server.shutdown()
    assert not (tmp_path / "cache" / "file.txt").exists()


def test_fetch_accepts_a_published_md5(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    payload = b"md5 fixture\n"
    (tmp_path / "m.txt").write_bytes(payload)
    path = fetch(_closed_port_url(), "md5:" + hashlib.md5(payload).hexdigest(), "m.txt")
    assert path.read_bytes() == payload


@pytest.mark.parametrize("bad", ["sha1:abc", "md5:XYZ", ""])
def test_fetch_rejects_malformed_checksums(tmp_path, monkeypatch, bad):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    with pytest.raises(ValueError, match="checksum"):
        fetch(_closed_port_url(), bad, "x.txt")
