"""The lab helpers that live in the runtime ``utils``, and the labs that use them.

A helper two or more labs need is written once in ``utils`` and imported by the labs; where
a lab writes a helper out in full because it teaches it (d2l's rule), a test here keeps the
lab's copy and the package's identical. The masters are read as JSON (no execution).
"""

import ast
import inspect
import re

import numpy as np
import pytest

from utils import gradcheck
from utils.gradcheck import check_shape, gradcheck_report
from utils.instructor import masters
from utils.instructor.paths import lab_names, master_path

MASTERS = [master_path(lab) for lab in lab_names()]


def _code(lab):
    return masters.code_sources(masters.read(lab))


def _function_source(sources, name):
    """The source of ``def name`` in exactly one of the code cells ``sources``."""
    found = []
    for src in sources:
        for node in ast.parse(src).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found.append(ast.get_source_segment(src, node))
    assert len(found) == 1, f"{name} is defined {len(found)} times"
    return found[0]


# ---------------------------------------------------------------------------- check_shape
def test_check_shape_accepts_and_names_the_expected_shape():
    check_shape("x", np.zeros((2, 3)), (2, None), "(N, D)")
    check_shape("b", np.zeros(4), (4,))
    with pytest.raises(ValueError, match=r"x must have shape \(N, D\), got \(2, 3, 1\)"):
        check_shape("x", np.zeros((2, 3, 1)), (2, None), "(N, D)")
    with pytest.raises(ValueError, match=r"Wx must have shape \(5, \?\), got \(4, 3\)"):
        check_shape("Wx", np.zeros((4, 3)), (5, None))
    with pytest.raises(ValueError, match=r"b must have shape \(6,\), got \(4,\)"):
        check_shape("b", np.zeros(4), (6,))


@pytest.mark.parametrize("lab", ["lab01_rnn_numpy", "lab03_lstm_gru"])
def test_labs_share_one_shape_check(lab):
    code = "\n".join(_code(lab))
    assert "def check_shape(" not in code and "def expect_shape(" not in code and "expect_shape(" not in code
    assert re.search(r"from utils\.gradcheck import [^\n]*\bcheck_shape\b", code)


# ---------------------------------------------------------------------------- gradcheck_report
def test_gradcheck_report_prints_one_line_per_gradient_and_asserts(capsys):
    a = [np.array([1.0, 2.0]), np.array(3.0)]
    gradcheck_report(["dx", "db"], a, [x * (1 + 1e-9) for x in a])
    assert capsys.readouterr().out == "      dx: relative error 5.0e-10\n      db: relative error 5.0e-10\n"
    with pytest.raises(AssertionError, match="dW: relative error 3.3e-01 > 1e-07"):
        gradcheck_report(["dW"], [np.array([1.0])], [np.array([2.0])])
    gradcheck_report(["dw"], [np.array([1.0])], [np.array([1.0 + 1e-7])], tol=1e-6)


def test_lab01_teaches_the_package_gradcheck_report():
    """Lab 1 writes the report out where it teaches gradient checks; it must stay the package's."""
    ours = inspect.getsource(gradcheck.gradcheck_report).strip()
    assert _function_source(_code("lab01_rnn_numpy"), "gradcheck_report").strip() == ours


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_gradient_checks_print_through_the_report(master):
    """One print format: no lab after Lab 1 defines its own report or prints relative errors itself."""
    code = "\n".join(_code(master.stem))
    if master.stem == "lab01_rnn_numpy":
        code = code.replace(inspect.getsource(gradcheck.gradcheck_report), "")
    assert "def gradcheck_report(" not in code
    for line in code.splitlines():
        assert not re.search(r"print\(f.*relative error \{", line), line


# ---------------------------------------------------------------------------- per-member clipping
def test_clip_per_member_matches_lab02_clip_grad_norm_member_by_member():
    """utils.training clips every ensemble member as Lab 2's clip_grad_norm clips one model."""
    torch = pytest.importorskip("torch")
    from utils.training import clip_grad_norm_per_member_

    ns = {"np": np}
    exec(_function_source(_code("lab02_vanishing_gradients"), "clip_grad_norm"), ns)
    clip_grad_norm = ns["clip_grad_norm"]
    g = torch.Generator().manual_seed(0)
    grads = [torch.randn(4, 3, 2, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)]
    grads[0][1] *= 1e-3                        # member 1 is below the threshold: unchanged
    before = [t.clone() for t in grads]
    norms = clip_grad_norm_per_member_(grads, 1.0, eps=0.0)
    for e in range(4):
        want, total = clip_grad_norm([t[e].numpy() for t in before], 1.0)
        assert abs(norms[e].item() - total) < 1e-12
        for got, w in zip(grads, want):
            np.testing.assert_allclose(got[e].numpy(), w, rtol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        clip_grad_norm_per_member_(grads, 0.0)
    with pytest.raises(ValueError, match="leading"):
        clip_grad_norm_per_member_([torch.zeros(2, 3), torch.zeros(3)], 1.0)


def test_clip_per_member_keeps_the_labs_numbers():
    """The exact operations Labs 2 and 3 used before they shared the helper (eps 1e-12, 1e-6)."""
    torch = pytest.importorskip("torch")
    from utils.training import clip_grad_norm_per_member_

    g = torch.Generator().manual_seed(1)
    for eps in (1e-12, 1e-6):
        grads = [3 * torch.randn(5, 4, 4, generator=g), torch.randn(5, 4, generator=g), torch.randn(5, generator=g)]
        sq = sum(t.reshape(t.shape[0], -1).pow(2).sum(1) for t in grads)
        scale = (1.0 / (sq.sqrt() + eps)).clamp(max=1.0)
        want = [t * scale.view(-1, *[1] * (t.dim() - 1)) for t in grads]
        clip_grad_norm_per_member_(grads, 1.0, eps=eps)
        assert all(torch.equal(a, b) for a, b in zip(grads, want))


@pytest.mark.parametrize("lab", ["lab02_vanishing_gradients", "lab03_lstm_gru"])
def test_ensemble_labs_clip_through_the_package(lab):
    code = "\n".join(_code(lab))
    assert "clip_grad_norm_per_member_(" in code and "def clip_per_member(" not in code
    assert ".clamp(max=1.0)" not in code


# ---------------------------------------------------------------------------- widgets
def test_one_dropdown_widget():
    from utils import widgets

    assert not hasattr(widgets, "choices")
    for master in MASTERS:
        code = "\n".join(_code(master.stem))
        assert "choices(" not in code and "import choices" not in code, master.stem


# ---------------------------------------------------------------------------- Lab 4 test decoder
def test_markov_greedy_reference():
    pytest.importorskip("torch")
    from utils import testkit

    e = 1e-9
    table = [[e] * 5, [e, e, 0.1, 0.6, 0.3], [e, e, 1.0, e, e], [e, e, 0.3, 0.2, 0.5], [e, e, 0.8, 0.1, 0.1]]
    assert testkit.markov_greedy(table, 6) == [3, 4, 2, 0, 0, 0]
    assert testkit.markov_greedy(table, 2) == [3, 4]
    loop = [[e] * 5 for _ in range(5)]
    for row in loop:
        row[3] = row[4] = 0.5                  # a tie: the smallest id wins
    assert testkit.markov_greedy(loop, 3) == [3, 3, 3]


def test_lab04_uses_the_one_markov_fixture():
    code = "\n".join(_code("lab04_captioning"))
    assert "class Markov" not in code and "def greedy_ref(" not in code and "def greedy(" not in code
    assert code.count("testkit.MarkovDecoder(") >= 4
