import sys
import types

import pytest

from utils import colab
from utils.instructor import paths, student


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
    url, branch = paths.repository()
    cell = student.setup_cell("lab01_rnn_numpy")
    assert cell.startswith(student.SETUP_MARKER)
    assert url in cell and f"--branch={branch}" in cell
    assert 'bootstrap("lab01_rnn_numpy")' in cell
    assert "pip" not in cell, "the install logic lives in utils.colab (exact versions, --no-deps)"
    compile(cell, "<setup cell>", "exec")  # valid Python
    assert student.colab_url("lab01_rnn_numpy").endswith(
        f"/blob/{branch}/notebooks/lab01_rnn_numpy/lab01_rnn_numpy.ipynb")


def test_missing_leaves_anything_installed_alone():
    add = {"otter-grader": "5.7.1", "ipywidgets": "8.1.9", "Some_Pkg": "1.0"}
    installed = {"ipywidgets": "7.7.1", "some-pkg": "0.1"}
    assert colab.missing(add, installed) == {"otter-grader": "5.7.1"}


def test_install_missing_installs_exact_versions_without_dependencies(monkeypatch):
    state = {"numpy": "2.1.3"}
    ran = []
    monkeypatch.setattr(colab, "installed_versions", lambda: dict(state))

    def fake_run(cmd, check, env):
        ran.append(cmd)
        state.update({"otter-grader": "5.7.1"})
    monkeypatch.setattr(colab.subprocess, "run", fake_run)
    assert colab.install_missing({"otter-grader": "5.7.1", "numpy": "1.0"}) == {"otter-grader": "5.7.1"}
    (cmd,) = ran
    assert cmd[1:5] == ["-m", "pip", "install", "--no-deps"] and cmd[-1] == "otter-grader==5.7.1"
    assert colab.install_missing({"otter-grader": "5.7.1"}) == {} and len(ran) == 1


def test_bootstrap_uses_the_checkout_utils_was_imported_from(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(colab, "install_missing", lambda: {})
    monkeypatch.chdir(paths.ROOT)
    try:
        assert colab.bootstrap("lab01_rnn_numpy") == paths.ROOT / "notebooks" / "lab01_rnn_numpy"
    finally:
        import os
        os.chdir(paths.ROOT)


def test_colab_image_helpers(tmp_path):
    from utils.instructor import colabimage as ci

    pins = ci.read_freeze()
    assert pins["ipywidgets"] == "7.7.1" and "google-colab" not in pins
    assert ci.differences({"ipywidgets": "8.1.9", "jedi": "0.19", "torch": "2.13.0+cpu"}, pins) == [
        "ipywidgets 8.1.9 (Colab: 7.7.1)", "jedi 0.19 (Colab does not ship it)"]
    cons = ci.constraints(pins)
    assert f"torch=={ci.LOCAL_TORCH}\n" in cons and "torchvision" not in cons
    url, branch = paths.repository()
    ci.fake_clone(["--depth=1", f"--branch={branch}", url, str(tmp_path / "c")])
    assert (tmp_path / "c" / "notebooks" / "lab01_rnn_numpy" / "tests").is_dir()
    assert not (tmp_path / "c" / "labsolutions").exists() and not (tmp_path / "c" / "tests").exists()
    with pytest.raises(SystemExit):
        ci.fake_clone(["https://example.com/other", str(tmp_path / "d")])
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('grader.check("q1")'),
                                         nbformat.v4.new_code_cell('grader.check("q2")')])
    passed = "q1 results: All test cases passed!"
    failed = "q2 results:\n    q2 - 1 result:\n        Test case failed"
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": passed})]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": failed})]
    assert [(q, ok) for q, ok, _ in ci.check_outputs(nb)] == [("q1", True), ("q2", False)]


def test_refresh_vendors_a_new_freeze_with_its_source(tmp_path, monkeypatch):
    from utils.instructor import colabimage as ci

    vendored = tmp_path / "colab"
    vendored.mkdir()
    (vendored / "README.md").write_text("# list\n\nVendored: 2026-08-19, from somewhere.\n")
    monkeypatch.setattr(ci, "VENDORED", vendored)
    monkeypatch.setattr(ci, "FREEZE", vendored / "pip-freeze.gpu.txt")
    monkeypatch.setattr(ci, "ROOT", tmp_path)
    new = tmp_path / "new.txt"
    new.write_text("# pip freeze\nipykernel==7.0.0\nipywidgets==8.1.9\nnumpy==2.3.0\npip==25.0\n")
    ci.refresh(new, "github.com/googlecolab/backend-info at commit 0123456789ab", "2027-01-02")
    assert ci.read_freeze(vendored / "pip-freeze.gpu.txt")["ipywidgets"] == "8.1.9"
    readme = (vendored / "README.md").read_text()
    assert "Vendored: 2027-01-02, from github.com/googlecolab/backend-info at commit 0123456789ab." in readme
    assert "2026-08-19" not in readme
    bad = tmp_path / "bad.txt"
    bad.write_text("requests==2.0\n")
    with pytest.raises(ValueError, match="does not look like"):
        ci.refresh(bad, "x", "2027-01-02")
