"""The grader's mechanisms one at a time: what a sandbox holds, the plain-data format, the
proxies, and the refusal to run without a sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from utils.instructor.grading import cli, sandbox, wire
from utils.instructor.grading.remote import Remote

PROBE = r"""
import json, os, socket, resource
out = {"root": sorted(os.listdir("/")), "uid": os.getuid(), "cwd": os.getcwd()}
out["repo_listing"] = os.listdir(REPO) if os.path.isdir(REPO) else []
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    out["network"] = True
except OSError:
    out["network"] = False
out["limits"] = {name: resource.getrlimit(getattr(resource, name))[0]
                 for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC")}
st = os.statvfs("/tmp")
out["tmp_bytes"] = st.f_blocks * st.f_frsize
out["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
import utils
out["utils"] = utils.__file__
try:
    open("/usr/rnnlabs-probe", "w")
    out["usr_writable"] = True
except OSError:
    out["usr_writable"] = False
print(json.dumps(out))
"""


def run_in_sandbox(code: str, limits=None) -> dict:
    cmd, env, preexec = sandbox.command([sys.executable, "-c", code], limits or sandbox.Limits(memory_mb=2048))
    r = subprocess.run(cmd, env=env or None, preexec_fn=preexec, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


@pytest.mark.skipif(sandbox.available() is not None, reason="no sandbox on this machine")
def test_what_a_sandbox_holds():
    repo = str(sandbox.UTILS.parent)
    seen = run_in_sandbox(f"REPO = {repo!r}\n" + PROBE, sandbox.Limits(memory_mb=2048, cpu_seconds=77,
                                                                      tmp_mb=64, processes=32, open_files=100))
    # nothing of the course repository, except its virtual environment when the venv lives there
    assert set(seen["repo_listing"]) <= {".venv"}, seen["repo_listing"]
    assert seen["utils"] == f"{sandbox.INSIDE_PKG}/utils/__init__.py"  # the read-only copy
    assert not seen["network"] and not seen["usr_writable"]
    assert seen["cwd"] == "/tmp" and 60 * 2**20 <= seen["tmp_bytes"] <= 70 * 2**20
    assert seen["pids"][0] == 1 and len(seen["pids"]) <= 3, seen["pids"]  # its own PID namespace
    lim = seen["limits"]
    assert lim["RLIMIT_AS"] == 2048 * 2**20 and lim["RLIMIT_CPU"] == 77
    assert lim["RLIMIT_FSIZE"] == 64 * 2**20 and lim["RLIMIT_NOFILE"] == 100
    if os.geteuid() == 0:  # a fresh user of its own, with a process limit
        assert seen["uid"] >= sandbox.UID_BASE and seen["uid"] in sandbox.ISSUED and lim["RLIMIT_NPROC"] == 32
        again = run_in_sandbox(f"REPO = {repo!r}\n" + PROBE)
        assert again["uid"] != seen["uid"]


def test_decoding_builds_only_plain_data():
    frame = wire.encode({"x": (np.arange(6.0).reshape(2, 3), torch.ones(2), 3, "s", None, [1.5, True])},
                        lambda o: wire.Ref(0))
    value = wire.decode(frame, lambda i: ("ref", i))
    assert type(value["x"][0]) is np.ndarray and value["x"][0].shape == (2, 3)
    assert type(value["x"][1]) is torch.Tensor
    header = json.dumps({"$nd": ["|O", [1], 0]}).encode()  # object dtype (would unpickle): refused
    bad = len(header).to_bytes(4, "little") + header + (1).to_bytes(4, "little") + (8).to_bytes(8, "little") + b"x" * 8
    with pytest.raises(wire.WireError):
        wire.decode(bad, lambda i: i)
    header = json.dumps({"$nd": ["<f8", [1000, 1000], 0]}).encode()  # shape larger than its bytes
    bad = len(header).to_bytes(4, "little") + header + (1).to_bytes(4, "little") + (8).to_bytes(8, "little") + b"x" * 8
    with pytest.raises(wire.WireError):
        wire.decode(bad, lambda i: i)
    for tag in ({"$build": ["MarkovDecoder", [[[1.0]]]]}, {"$rng": {}}, {"$class": "os.system"}):
        header = json.dumps(tag).encode()  # fixtures and generators are rebuilt in the sandbox only
        with pytest.raises(wire.WireError):
            wire.decode(len(header).to_bytes(4, "little") + header + bytes(4), lambda i: i)
    with pytest.raises(wire.WireError):  # nesting bomb
        deep = "[" * 10_000 + "]" * 10_000
        wire.decode(len(deep).to_bytes(4, "little") + deep.encode() + bytes(4), lambda i: i)


def test_proxies_refuse_hooks_that_would_reach_the_notebook():
    class NoSession:
        def request(self, msg, label):
            raise AssertionError(f"no request may be sent for {msg['op']} {msg.get('name')}")

    r = Remote(NoSession(), 0, "f")
    for hook in ("__array__", "__array_interface__", "__array_ufunc__", "__torch_function__", "_private"):
        with pytest.raises(AttributeError):
            getattr(r, hook)
    assert not np.allclose(np.asarray([r], dtype=object) == 1, True)


def test_grader_refuses_to_run_without_a_sandbox(monkeypatch, tmp_path, capsys):
    from support.tiny_course import LAB, write_tiny_lab

    from utils.instructor import student

    monkeypatch.setattr(sandbox, "BWRAP", "bwrap-not-installed")
    root = tmp_path / "course"
    write_tiny_lab(root)
    student.generate_autograder(LAB, root / "_build" / "autograder", root)
    solved = root / "_build" / "autograder" / LAB / f"{LAB}-solution.ipynb"
    with pytest.raises(cli.NoSandbox, match="--unsafe-no-sandbox"):
        cli.grade_folder([solved], LAB, root=root, progress=False)
    assert cli.main([str(solved), "--lab", LAB, "--root", str(root), "--out", str(tmp_path / "r1")]) == 2
    assert not (tmp_path / "r1").exists()
    # with the flag it grades (outside any sandbox) and warns before and after
    assert cli.main([str(solved), "--lab", LAB, "--root", str(root), "--out", str(tmp_path / "r2"),
                     "--unsafe-no-sandbox", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("UNSAFE: submissions run WITHOUT a sandbox") == 2
    assert "lab90_tiny-solution,ok,2,2,2,6" in (tmp_path / "r2" / "grades.csv").read_text()


def test_tmp_is_mounted_before_the_interpreter():
    """A later mount covers an earlier one: /tmp must not hide an interpreter that lives under
    /tmp (CI clones the course there, its .venv with it)."""
    cmd, _, _ = sandbox.command(["true"], sandbox.Limits())
    tmpfs = cmd.index("--tmpfs")
    binds = [i for i, a in enumerate(cmd) if a == "--ro-bind" and cmd[i + 1] in sandbox._python_paths()]
    assert binds and tmpfs < min(binds)


@pytest.mark.skipif(sandbox.available() is not None, reason="no sandbox on this machine")
def test_a_failing_worker_says_why_in_the_crash_message():
    """The notebook's output goes to /dev/null, but a failure of the worker itself reaches the
    instructor: here the grader sends a frame that is not JSON, the worker's decoder raises, and the
    crash's message carries the worker's traceback."""
    import time

    from utils.instructor.grading.remote import Session, SessionEnded

    session = Session(sandbox.Limits(memory_mb=2048))
    try:
        assert "ready" in session.receive(time.monotonic() + 60, "start-up")
        session._write(b"\x05\x00\x00\x00{bad}\x00\x00\x00\x00", time.monotonic() + 10)
        with pytest.raises(SessionEnded) as ended:
            session.receive(time.monotonic() + 30, "a request")
    finally:
        session.close()
    assert ended.value.reason == "crashed"
    assert "exit code 1" in ended.value.detail
    assert "grading worker failed" in ended.value.detail and "WireError" in ended.value.detail
