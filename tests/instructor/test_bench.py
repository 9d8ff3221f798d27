"""utils.bench: extracting the labs' functions from notebooks, and the runtime table."""

import nbformat
import numpy as np
import pytest

from utils.instructor import bench, masters, speed


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / "lab99_demo.ipynb"
    nbformat.write(nb, path)
    return path


def test_load_functions_brings_helpers_and_keeps_the_last_definition(tmp_path):
    path = _notebook(
        tmp_path,
        "%matplotlib inline\nimport numpy as np\nimport not_a_module_anywhere",
        "def helper(x):\n    return x + 1\n\ndef f(x):\n    return 0",
        "print('side effects never run')\nraise SystemExit",
        "@staticmethod\ndef unused():\n    pass\n\n"
        "def f(x):\n    # BEGIN SOLUTION\n    return np.asarray(helper(x)) * 2\n    # END SOLUTION",
    )
    f = masters.load_functions(path, ["f"])["f"]
    assert f(1) == 4  # the later f, with helper and np available


def test_load_functions_names_what_is_missing(tmp_path):
    path = _notebook(tmp_path, "def g():\n    pass")
    with pytest.raises(KeyError, match=r"defines no \['f'\].*\['g'\]"):
        masters.load_functions(path, ["f"])


def test_table_lists_every_lab_and_marks_unmeasured_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "OUT_DIR", tmp_path)
    monkeypatch.setattr(bench, "BENCH_MD", tmp_path / "bench.md")
    monkeypatch.setattr(bench, "lab_names", lambda: ["lab01_a", "lab02_b"])
    data = {"machine": {"description": "2-core CPU (X), no GPU", "python": "3", "numpy": "2", "torch": "2"},
            "labs": {"lab01_a": {"fast": {"ok": True, "wall_s": 12.3, "peak_rss_mib": 400},
                                 "full": {"ok": True, "wall_s": 250.0, "peak_rss_mib": 900,
                                          "slowest_cell": 7, "slowest_cell_s": 95.4}},
                     "lab02_b": {"fast": {"ok": False, "error": "ValueError: boom"}}},
            "speed_ratios": {"machine": "m", "measured": "now", "results": [
                {"what": "RNN", "numpy_ms": 10.0, "torch_ms": 5.0, "ratio": 2.0, "matches_torch": True}]}}
    text = bench.write_table(data)
    assert "| 1. lab01_a | 12 s, 400 MiB | 4 min 10 s, 900 MiB (slowest cell 1 min 35 s) |" in text
    assert "| 2. lab02_b | failed (ValueError: boom) | not measured yet |" in text
    assert "| RNN | 10.0 ms | 5.0 ms | 2.00 |" in text
    assert "2-core CPU (X), no GPU" in text
    assert (tmp_path / "bench.md").read_text() == text


def test_rnn_ratio_checks_the_lab_against_torch(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    (tmp_path / "labsolutions").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "def rnn_forward(x, h0, Wx, Wh, b):\n"
        "    hs, h, xw = [], h0, x @ Wx + b\n"
        "    for t in range(x.shape[1]):\n"
        "        h = np.tanh(xw[:, t] + h @ Wh)\n"
        "        hs.append(h)\n"
        "    return np.stack(hs, 1), None\n"
        "def rnn_backward(dh, cache):\n"
        "    return None\n")]
    nbformat.write(nb, tmp_path / "labsolutions" / "lab01_rnn_numpy.ipynb")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    r = speed.ratio_rnn("rnn", N=4, T=3, D=5, H=6, dtype=np.float64, repeat=1)
    assert r["matches_torch"] and r["max_abs_diff_vs_torch"] < 1e-12
    assert r["ratio"] > 0


def test_bench_gpu_refuses_without_a_gpu(monkeypatch, capsys):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert bench.main(["--gpu"]) == 2
    assert "needs a CUDA GPU" in capsys.readouterr().err


def test_gpu_table_names_every_lab(monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "BENCH_GPU_MD", tmp_path / "bench-gpu.md")
    text = bench.write_gpu_table({"machine": {"description": "test GPU"},
                                  "labs": {"lab01_rnn_numpy": {"ok": True, "wall_s": 42.0, "peak_rss_mib": 600}}})
    assert "42 s, 600 MiB" in text and "not measured yet" in text and "test GPU" in text
