"""utils.data.flickr8k: the published archive layout, downloads, and the offline fallback."""

import io
import zipfile

import numpy as np
import pytest

from utils.data import DownloadError, flickr8k, load_flickr8k, parse_flickr8k


def _write_fixture(tmp_path):
    """A tiny archive pair in the published Flickr8k layout: 3 images, 2 in the train split."""
    from PIL import Image

    names = ["100_a.jpg", "200_b.jpg", "300_c.jpg"]
    images = tmp_path / "Flickr8k_Dataset.zip"
    with zipfile.ZipFile(images, "w") as z:
        for k, name in enumerate(names):
            arr = np.zeros((30, 40, 3), dtype=np.uint8)
            arr[..., k] = 255                             # red, green, blue images, not square
            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, format="JPEG", quality=95)
            z.writestr(f"Flicker8k_Dataset/{name}", buf.getvalue())
        z.writestr("__MACOSX/Flicker8k_Dataset/._100_a.jpg", b"junk")
    text = tmp_path / "Flickr8k_text.zip"
    tokens = "".join(f"{n}#{j}\tA Dog runs, fast on grass {j} .\n" for n in names for j in range(5))
    with zipfile.ZipFile(text, "w") as z:
        z.writestr("Flickr8k.token.txt", tokens)
        z.writestr("Flickr_8k.trainImages.txt", "100_a.jpg\n300_c.jpg\n")
        z.writestr("Flickr_8k.devImages.txt", "200_b.jpg\n")
        z.writestr("Flickr_8k.testImages.txt", "missing.jpg\n")
    return images, text


def test_parse_flickr8k_fixture(tmp_path):
    images, text = _write_fixture(tmp_path)
    d = parse_flickr8k(images, text, split="train", size=16)
    assert d.name == "flickr8k" and d.masks is None
    assert d.images.shape == (2, 3, 16, 16) and d.images.dtype == np.float32
    assert d.info["files"] == ["100_a.jpg", "300_c.jpg"]
    assert d.images[0, 0].mean() > 0.9 and d.images[0, 1].mean() < 0.1      # red image
    assert d.images[1, 2].mean() > 0.9                                       # blue image
    assert len(d.captions[0]) == 5 and d.captions[0][0] == "a dog runs , fast on grass 0"
    assert len(parse_flickr8k(images, text, split="val", size=16)) == 1
    assert len(parse_flickr8k(images, text, split="train", size=16, max_images=1)) == 1
    with pytest.raises(ValueError, match="split"):
        parse_flickr8k(images, text, split="dev")
    with pytest.raises(ValueError, match="no captioned images"):
        parse_flickr8k(images, text, split="test")


def test_load_flickr8k_uses_fetch_and_falls_back(tmp_path, monkeypatch):
    images, text = _write_fixture(tmp_path)
    # Unpinned checksums: refuse, warn, fall back to the shapes data.
    monkeypatch.setattr(flickr8k, "FLICKR8K_SHA256", {"images": None, "text": None})
    with pytest.warns(UserWarning, match="not pinned"):
        d = load_flickr8k(size=32, fallback_n=4)
    assert d.name == "shapes" and len(d) == 4
    # Pinned, download fails: fall back with the download error in the message.
    monkeypatch.setattr(flickr8k, "FLICKR8K_SHA256", {"images": "0" * 64, "text": "0" * 64})

    def failing(url, sha256, filename, timeout=30.0):
        raise DownloadError(f"could not download {url}")

    monkeypatch.setattr(flickr8k, "fetch", failing)
    with pytest.warns(UserWarning, match="could not download"):
        assert load_flickr8k(fallback_n=3).name == "shapes"
    # Pinned, download works: the archives are parsed.
    files = {"Flickr8k_Dataset.zip": images, "Flickr8k_text.zip": text}
    monkeypatch.setattr(flickr8k, "fetch", lambda url, sha256, filename, timeout=30.0: files[filename])
    d = load_flickr8k(split="val", size=8)
    assert d.name == "flickr8k" and d.images.shape == (1, 3, 8, 8)
