"""utils.data._download.fetch: checksums, the cache, and errors that say what to do."""

import hashlib
import warnings

import pytest
from support.network import closed_port_url

from utils.data import DownloadError, fetch, load_text
from utils.data import text as text_module


def test_corrupt_cached_download_is_discarded_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    (tmp_path / "tinyshakespeare.txt").write_text("First Citizen: truncated")
    monkeypatch.setattr(text_module, "TINYSHAKESPEARE_URL", closed_port_url())
    with pytest.warns(UserWarning, match="could not download"):
        text, _ = load_text("tinyshakespeare")
    assert "First Citizen" not in text[:100]
    assert not (tmp_path / "tinyshakespeare.txt").exists()


def test_fetch_serves_a_verified_cached_copy_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    payload = b"tiny fixture\n"
    (tmp_path / "fixture.txt").write_bytes(payload)
    path = fetch(closed_port_url(), hashlib.sha256(payload).hexdigest(), "fixture.txt")
    assert path.read_bytes() == payload


def test_fetch_failure_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    with pytest.raises(DownloadError, match="place the file by hand"):
        fetch(closed_port_url(), "0" * 64, "missing.txt")


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
    path = fetch(closed_port_url(), "md5:" + hashlib.md5(payload).hexdigest(), "m.txt")
    assert path.read_bytes() == payload


@pytest.mark.parametrize("bad", ["sha1:abc", "md5:XYZ", ""])
def test_fetch_rejects_malformed_checksums(tmp_path, monkeypatch, bad):
    monkeypatch.setenv("RNNLABS_CACHE", str(tmp_path))
    with pytest.raises(ValueError, match="checksum"):
        fetch(closed_port_url(), bad, "x.txt")
