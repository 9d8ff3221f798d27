"""utils.data.digits: binarised digits, the IDX reader and the MNIST fallback."""

import gzip
import struct

import numpy as np
import pytest

from utils.data import DownloadError, digits, load_binarized_digits, load_binary_images, read_idx


def _write_idx(path, array, type_byte=0x08, compress=False):
    array = np.asarray(array)
    header = bytes([0, 0, type_byte, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(digits._IDX_DTYPES[type_byte]).tobytes()
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return path


def test_digits_shapes_binary_and_fixed_split():
    tr, te = load_binarized_digits()
    assert tr.shape == (1500, 8, 8) and te.shape == (297, 8, 8)
    assert tr.dtype == np.uint8 and set(np.unique(tr)) == {0, 1}
    assert 0.25 < tr.mean() < 0.4  # threshold 8 keeps about a third of the pixels on
    tr2, te2 = load_binarized_digits()
    assert np.array_equal(tr, tr2) and np.array_equal(te, te2)


def test_digits_bad_threshold():
    with pytest.raises(ValueError, match="threshold"):
        load_binarized_digits(threshold=17)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_roundtrip(tmp_path, compress):
    imgs = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    path = _write_idx(tmp_path / ("x.idx.gz" if compress else "x.idx"), imgs, compress=compress)
    out = read_idx(path)
    assert out.shape == (3, 4, 5) and out.dtype == np.uint8 and np.array_equal(out, imgs)


def test_read_idx_other_types(tmp_path):
    a = np.linspace(-1, 1, 6).reshape(2, 3)
    out = read_idx(_write_idx(tmp_path / "f.idx", a, type_byte=0x0E))
    assert out.dtype == np.float64 and np.allclose(out, a)
    b = np.array([-3, 7, 1000], dtype=np.int32)
    assert np.array_equal(read_idx(_write_idx(tmp_path / "i.idx", b, type_byte=0x0C)), b)


def test_read_idx_bad_inputs(tmp_path):
    (tmp_path / "magic.idx").write_bytes(b"\x01\x00\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="two zero bytes"):
        read_idx(tmp_path / "magic.idx")
    (tmp_path / "type.idx").write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="type byte"):
        read_idx(tmp_path / "type.idx")
    good = _write_idx(tmp_path / "t.idx", np.zeros((2, 3, 3), np.uint8)).read_bytes()
    (tmp_path / "trunc.idx").write_bytes(good[:-1])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "trunc.idx")


def test_mnist_from_fixture(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    files = {}
    for split, (name, _) in digits.MNIST_FILES.items():
        n = 5 if split == "train" else 3
        files[name] = _write_idx(tmp_path / name, rng.integers(0, 256, (n, 28, 28)), compress=True)
    monkeypatch.setattr(digits, "fetch", lambda url, sha, filename: files[url.rsplit("/", 1)[-1]])
    tr, te, used = load_binary_images("mnist")
    assert used == "mnist" and tr.shape == (5, 28, 28) and te.shape == (3, 28, 28)
    expected = (read_idx(files["train-images-idx3-ubyte.gz"]) >= 128).astype(np.uint8)
    assert np.array_equal(tr, expected)
    tr, _, _ = load_binary_images("mnist", max_train=2)
    assert tr.shape == (2, 28, 28)


def test_mnist_falls_back_offline(monkeypatch):
    def fail(url, sha, filename):
        raise DownloadError("no network")

    monkeypatch.setattr(digits, "fetch", fail)
    with pytest.warns(UserWarning, match="offline 8x8 digits"):
        tr, te, used = load_binary_images("mnist")
    assert used == "digits" and tr.shape == (1500, 8, 8)


def test_bad_names_and_sizes():
    with pytest.raises(ValueError, match="digits, mnist"):
        load_binary_images("cifar")
    with pytest.raises(ValueError, match="max_train"):
        digits.load_binarized_mnist(max_train=0)


def test_sha256_values_look_like_sha256():
    for name, sha in digits.MNIST_FILES.values():
        assert name.endswith("-ubyte.gz") and len(sha) == 64 and int(sha, 16) >= 0
