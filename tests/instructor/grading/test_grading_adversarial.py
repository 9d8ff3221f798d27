"""Attacks on the grader by a student who has read its source, one test per class of attack.

Every attack is a notebook for the tiny lab of test_grading_bad_submissions.py, graded in ONE
batch (2 workers) together with honest classmates graded before, between and after the
attackers. Each test asserts the attacker's points AND that every honest classmate keeps full
marks. Where an attack would pay off if it worked (reading the solutions, forging replies),
the notebook is written so that success shows up as points it did not earn.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import nbformat
import pytest
from support.tiny_course import FULL, LAB, NONE, QUESTIONS, appended, code_cell_defining, solution

from utils.instructor import paths
from utils.instructor.grade import grade_folder
from utils.instructor.grading import report, sandbox

C = nbformat.v4.new_code_cell
STUBS = "def double(x):\n    return None\ndef square(x):\n    return None\ndef relu(x):\n    return None"
CHEAT = ("def double(x):\n    return 2 * np.asarray(x, dtype=float)\n"
         "def square(x):\n    return np.asarray(x, dtype=float) ** 2\n"
         "def relu(x):\n    return torch.clamp(x, min=0)")


def stubbed(root, *cells):
    """The solution with every graded function replaced by a stub, plus the attack's cells."""
    nb = solution(root)
    for fn in ("double", "square", "relu"):
        code_cell_defining(nb, fn).source = f"def {fn}(x):\n    return None"
    nb.cells += [C(c) for c in cells]
    return nb


def attacks(root: Path, subs: Path, out: Path) -> dict:
    zip_path = root / "_build" / "autograder" / LAB / f"{LAB}-autograder.zip"
    secrets = [root / "labsolutions" / f"{LAB}.ipynb", zip_path, subs / "a0_honest.ipynb", out / "grades.csv",
               paths.ROOT / "labsolutions", Path("/proc/1/environ")]
    return {
        # forged results: replaced output functions, fake files, and well-formed reply frames
        # (made with the grader's own wire format) written to every inherited descriptor
        "attack_forged_results": stubbed(root, f"""
import builtins, json, os, pickle, pathlib
from utils.instructor.grading import wire
json.dumps = lambda *a, **k: '{{"ok": true}}'
pickle.dumps = lambda *a, **k: b''
builtins.print = lambda *a, **k: None
for where in ("results.json", "../results.json", "grades.csv", {str(out / 'grades.csv')!r}):
    try:
        pathlib.Path(where).write_text("student,status\\nattack_forged_results,ok,2,2,2,6")
    except OSError:
        pass
full = wire.encode({{"ok": {{"q1_double": 2, "q2_square": 2, "q3_relu": 2}}}}, None)
for fd in range(3, 64):
    for _ in range(3):
        try:
            os.write(fd, full)
        except OSError:
            pass"""),
        # turning the tests off from inside: tracing, profiling, a thread that keeps patching,
        # finalizers, signal handlers, a swapped numpy, ctypes
        "attack_disables_tests": stubbed(root, """
import sys, threading, signal, time, ctypes, types
import numpy, torch
sys.settrace(lambda *a: None)
sys.setprofile(lambda *a: None)
signal.signal(signal.SIGALRM, signal.SIG_IGN)
def patch():
    while True:
        numpy.allclose = lambda *a, **k: True
        numpy.testing.assert_allclose = lambda *a, **k: None
        torch.allclose = lambda *a, **k: True
        time.sleep(0.001)
threading.Thread(target=patch, daemon=True).start()
class Finalizer:
    def __del__(self):
        numpy.allclose = lambda *a, **k: True
Finalizer()
fake = types.ModuleType("numpy")
fake.__getattr__ = lambda name: (lambda *a, **k: True)
sys.modules["numpy"] = fake
ctypes.memset(id(numpy.allclose) + 64, 0, 8) if False else None"""),
        # lying values: an ndarray subclass and a tensor subclass that claim to equal anything
        "attack_lying_values": stubbed(root, """
class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_ufunc__(self, *a, **k):
        return True
    def __array_function__(self, *a, **k):
        return True
class TLiar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True
def double(x):
    return np.zeros(len(x)).view(Liar)
def square(x):
    return np.zeros(len(x)).view(Liar)
def relu(x):
    return torch.zeros(x.shape).as_subclass(TLiar)"""),
        # reading the solutions, the tests, the autograder, other submissions, the grader's
        # memory: if any read worked, the notebook would solve the lab (CHEAT) and score
        "attack_reads_secrets": stubbed(root, f"""
import gc, glob, os, pathlib
found = []
for p in {[str(s) for s in secrets]!r}:
    try:
        pathlib.Path(p).read_bytes() if not os.path.isdir(p) else os.listdir(p)
        found.append(p)
    except OSError:
        pass
for top in ("/work", "/root", "/home", "/tmp", "/opt", "/srv", "/mnt"):
    found += glob.glob(f"{{top}}/**/*autograder*.zip", recursive=True)
    found += glob.glob(f"{{top}}/**/lab90_tiny.ipynb", recursive=True)
found += [o for o in gc.get_objects()  # hidden test functions in memory (public ones are public)
          if callable(o)
          and getattr(o, "__name__", None) in ("test_double_values", "test_square_values", "test_relu_values")]
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            if b"utils.instructor.grade" in pathlib.Path(f"/proc/{{pid}}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
if found:
{CHEAT.replace(chr(10), chr(10) + '    ').join(['    ', ''])}"""),
        # processes that outlive the submission or signal others: a setsid daemon that later
        # tries to overwrite the results and kill everything it can see
        "attack_lingers": stubbed(root, f"""
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(4)
        for p in ({str(out / 'grades.csv')!r}, "../grades.csv"):
            try:
                open(p, "w").write("forged")
            except OSError:
                pass
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    os._exit(0)
for pid in range(2, 4000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError:
            pass"""),
        # writing outside its folder and filling /tmp; its functions are right (full marks)
        "attack_writes_outside": appended(root, f"""
import os, pathlib
for p in ({str(root / 'labsolutions' / 'pwned.txt')!r}, {str(subs / 'pwned.ipynb')!r}, "/usr/pwned", "/pwned"):
    try:
        pathlib.Path(p).write_text("pwned")
    except OSError:
        pass
try:
    with open("/tmp/fill", "wb") as f:
        for _ in range(4096):
            f.write(b"x" * 2**20)
except OSError:
    pass"""),
        # the hidden tests' inputs are known for the default seed: answer only those
        "attack_memorised_inputs": appended(root, """
_known = {tuple(np.round(np.random.default_rng(0).standard_normal(n), 12)) for n in (3, 4)}
_ok_double, _ok_square = double, square
def double(x):
    return _ok_double(x) if len(x) != 4 or tuple(np.round(x, 12)) in _known else np.zeros(len(x))
def square(x):
    return _ok_square(x) if len(x) != 3 or tuple(np.round(x, 12)) in _known else np.zeros(len(x))"""),
        # a flood of bytes on the reply pipe, a header that claims to be huge
        "attack_floods_pipe": stubbed(root, """
import os, struct
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack("<I", 2**31) + b"x" * 2**16)
    except OSError:
        pass"""),
        # an exception whose message tries to fill the feedback
        "attack_huge_errors": stubbed(root, "def double(x):\n    raise ValueError('x' * 10**7)"),
    }


HONEST = ["a0_honest", "m_honest", "z_honest"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from support.tiny_course import build_tiny_course

    root = build_tiny_course(tmp_path_factory.mktemp("course"))
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("results") / "lab90"
    notebooks = attacks(root, subs, out)
    for name in HONEST:
        nbformat.write(solution(root), subs / f"{name}.ipynb")
    for name, nb in notebooks.items():
        nbformat.write(nb, subs / f"{name}.ipynb")
    before = {p: p.read_bytes() for p in [*subs.iterdir(), *(root / "labsolutions").iterdir(),
                                           *(root / "_build").rglob("*.zip")]}
    start = time.perf_counter()
    grades = grade_folder(subs, LAB, out, workers=2, timeout=30, cell_timeout=8, test_timeout=8,
                          memory_mb=3072, root=root, progress=False)
    seconds = time.perf_counter() - start
    time.sleep(5)  # let a lingering process (if any had survived) act
    return {"grades": {g.student: g for g in grades}, "out": out, "root": root, "subs": subs,
            "before": before, "seconds": seconds}


def attacker(batch, name, status, scores):
    g = batch["grades"][name]
    assert (g.status, g.scores) == (status, scores), f"{name}: {g.status} {g.scores} {g.message} {g.feedback}"
    for honest in HONEST:
        h = batch["grades"][honest]
        assert (h.status, h.scores) == ("ok", FULL), f"{honest} beside {name}: {h.status} {h.scores} {h.feedback}"


def test_forged_results_count_for_nothing(batch):
    g = batch["grades"]["attack_forged_results"]
    assert g.status in ("ok", "protocol") and g.scores == NONE, (g.status, g.scores, g.message)
    attacker(batch, "attack_forged_results", g.status, NONE)
    rows = list(csv.reader((batch["out"] / "grades.csv").open()))
    forged = [r[:6] for r in rows if r[0] == "attack_forged_results"]
    assert forged == [["attack_forged_results", g.status, "0", "0", "0", "0"]]


def test_turning_tests_off_from_inside_changes_nothing(batch):
    attacker(batch, "attack_disables_tests", "ok", NONE)


def test_lying_return_values_cross_as_plain_data(batch):
    # the array subclasses arrive as plain zeros of the right shape (the public shape checks
    # pass); the tensor subclass cannot even be read back, so relu earns nothing
    attacker(batch, "attack_lying_values", "ok", {"q1_double": 1, "q2_square": 1, "q3_relu": 0})


def test_secrets_are_not_readable_from_the_sandbox(batch):
    attacker(batch, "attack_reads_secrets", "ok", NONE)


def test_no_process_outlives_its_submission(batch):
    attacker(batch, "attack_lingers", "ok", NONE)
    rows = list(csv.reader((batch["out"] / "grades.csv").open()))
    assert rows[0][:2] == ["student", "status"] and len(rows) == 1 + len(batch["grades"])
    leftovers = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if d.stat().st_uid in sandbox.ISSUED:
                    leftovers.append(d.name)
            except OSError:
                pass
    assert not leftovers, f"processes of this run's sandbox users still running: {leftovers}"
    assert len(sandbox.ISSUED) >= len(batch["grades"]) or os.geteuid() != 0  # one fresh user each


def test_writes_outside_the_sandbox_go_nowhere(batch):
    attacker(batch, "attack_writes_outside", "ok", FULL)
    assert not (batch["root"] / "labsolutions" / "pwned.txt").exists()
    assert not (batch["subs"] / "pwned.ipynb").exists() and not Path("/pwned").exists()
    for p, content in batch["before"].items():
        assert p.read_bytes() == content, f"{p} changed during grading"


def test_memorised_inputs_do_not_pass_the_hidden_tests(batch):
    attacker(batch, "attack_memorised_inputs", "ok", {**FULL, "q1_double": 1, "q2_square": 1})


def test_a_flooded_reply_pipe_stops_only_that_submission(batch):
    g = batch["grades"]["attack_floods_pipe"]
    assert g.status == "protocol", (g.status, g.message)
    attacker(batch, "attack_floods_pipe", "protocol", NONE)


def test_feedback_is_bounded_and_never_shows_hidden_tests(batch):
    attacker(batch, "attack_huge_errors", "ok", NONE)
    hidden = [line.strip() for _, _, _, h in QUESTIONS for line in h.splitlines() if len(line.strip()) > 12]
    names = [h.split("(")[0].replace("def ", "") for _, _, _, h in QUESTIONS]
    for f in [*(batch["out"] / "feedback").iterdir(), batch["out"] / "grades.csv"]:
        text = f.read_text()
        assert len(text) < 20_000, f"{f.name} is {len(text)} characters"
        for piece in hidden + names:
            assert piece not in text, f"{f.name} shows hidden test text: {piece!r}"


def test_results_folder_is_never_one_the_grader_did_not_make(tmp_path):
    squatted = tmp_path / "squatted"
    squatted.mkdir()
    (squatted / "grades.csv").write_text("student,status\n")
    link = tmp_path / "link"
    link.symlink_to(squatted)
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(open_dir, 0o777)
    for bad in (squatted, link, open_dir / "results"):
        with pytest.raises(report.UnsafeOutput):
            report.prepare_out(bad)
    good = report.prepare_out(tmp_path / "fresh")
    assert report.prepare_out(good) == good  # its own folder may be written again (a regrade)


def test_batch_time(batch):
    n = len(batch["grades"])
    print(f"graded {n} submissions (attacks and honest) in {batch['seconds']:.1f} s")
    assert batch["seconds"] < 20 * n
