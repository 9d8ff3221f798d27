import sys
import types

import pytest

from utils import colab, release


def test_bootstrap_does_nothing_outside_colab(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert colab.bootstrap("lab01_rnn_numpy") == tmp_path


def test_bootstrap_enters_the_lab_folder_in_colab(tmp_path, monkeypatch):
    (tmp_path / "notebooks" / "lab01_rnn_numpy" / "tests").mkdir(parents=True)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.chdir(tmp_path)
    lab_dir = colab.bootstrap("lab01_rnn_numpy", checkout=tmp_path)
    assert lab_dir == tmp_path / "notebooks" / "lab01_rnn_numpy"
    import os
    assert os.getcwd() == str(lab_dir)


def test_bootstrap_reports_an_incomplete_checkout(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with pytest.raises(FileNotFoundError, match="checkout is incomplete"):
        colab.bootstrap("lab01_rnn_numpy", checkout=tmp_path)


@pytest.mark.parametrize("bad", ["lab01/../../etc", "intro", ""])
def test_bootstrap_rejects_bad_lab_names(bad):
    with pytest.raises(ValueError, match="lab folder name"):
        colab.bootstrap(bad)


def test_setup_cell_uses_the_repository_from_config():
    url, branch = release.repository()
    cell = release.setup_cell("lab01_rnn_numpy")
    assert cell.startswith(release.SETUP_MARKER)
    assert url in cell and f"--branch={branch}" in cell
    assert 'bootstrap("lab01_rnn_numpy")' in cell
    compile(cell, "<setup cell>", "exec")  # valid Python
    assert release.colab_url("lab01_rnn_numpy").endswith(
        f"/blob/{branch}/notebooks/lab01_rnn_numpy/lab01_rnn_numpy.ipynb")
