"""One sandbox per submission: bubblewrap namespaces plus resource limits.

Inside, the submission sees a read-only interpreter and site-packages, a read-only copy
of ``utils`` (what the notebooks import), a private size-capped /tmp that is also its
working folder, a fresh /proc and a minimal /dev; it has no network, its own PID
namespace (when the sandbox ends, the kernel ends every process in it), and when the
grader runs as root it runs as a user id of its own, never reused in the run. Nothing
else of the machine's file system is there: not the course repository, not the solutions
or tests, not other submissions, not the results.

Where bubblewrap cannot make namespaces the grader refuses to run unless the instructor
passes ``--unsafe-no-sandbox``; ``UNSAFE_WARNING`` says what is then lost.
"""

from __future__ import annotations

import itertools
import os
import resource
import secrets
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

BWRAP = "bwrap"
UTILS = Path(__file__).resolve().parents[2]  # the utils package (runtime and instructor)
INSIDE_HOME = "/tmp/work"
INSIDE_PKG = "/opt/rnnlabs"  # where utils is mounted inside
UID_BASE = 100_000  # fresh user ids start above this, at a random offset per grading process
_uids = itertools.count(UID_BASE + secrets.randbelow(2**30))
ISSUED: set[int] = set()  # every user id this process gave a sandbox
UNSAFE_WARNING = (
    "UNSAFE: submissions run WITHOUT a sandbox (--unsafe-no-sandbox). Each still runs in its own process "
    "with time and memory limits, and grades are still decided outside it from plain data, but a "
    "submission can read every file you can read (other submissions, the solutions, the tests), write "
    "where you can write, use the network, and leave processes behind.")


@dataclass
class Limits:
    memory_mb: int = 4096  # address space
    cpu_seconds: int = 600
    tmp_mb: int = 512  # size of /tmp, and the largest file the submission may write
    processes: int = 64
    open_files: int = 256


def available() -> str | None:
    """None when a sandbox can be made here; otherwise why not."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which(BWRAP) is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        cmd, env, preexec = command(["true"], Limits())
        r = subprocess.run(cmd, env=env, capture_output=True, timeout=20, preexec_fn=preexec)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap failed to start: {e}"
    if r.returncode != 0:
        return "bubblewrap cannot create namespaces here: " + r.stderr.decode(errors="replace").strip()[:300]
    return None


def _next_uid() -> int | None:
    """A fresh user id when running as root (the submission then owns nothing on the host)."""
    if os.geteuid() != 0:
        return None
    uid = next(_uids)
    ISSUED.add(uid)
    return uid


def _python_paths() -> list[str]:
    """Directories the interpreter needs: its prefixes and site-packages, never the repository."""
    repo = UTILS.parent
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"],
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    keep = []
    for p in sorted(paths):
        rp = Path(p).resolve()
        if rp == repo or (repo in rp.parents and ".venv" not in rp.relative_to(repo).parts[:1]):
            continue
        if rp.exists() and not any(Path(k) in rp.parents or Path(k) == rp for k in keep):
            keep.append(str(rp))
    # the interpreter binary itself may be a symlink into another prefix (pyenv, Homebrew)
    exe_dir = str(Path(sys.executable).resolve().parent.parent)
    if not any(Path(k) == Path(exe_dir) or Path(k) in Path(exe_dir).parents for k in keep):
        keep.append(exe_dir)
    return keep


def command(argv: list[str], limits: Limits, unsafe: bool = False) -> tuple[list[str], dict, object]:
    """(command line, environment, preexec function) that runs ``argv`` in a fresh sandbox."""
    env = {"LAB_FAST": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "TQDM_DISABLE": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONNOUSERSITE": "1", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed by old OpenBLAS builds on some CPUs
        if var in os.environ:
            env[var] = os.environ[var]
    uid = _next_uid()
    if unsafe:
        import tempfile
        home = tempfile.mkdtemp(prefix="grade-unsafe-")
        env.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=f"{home}/.mpl", IPYTHONDIR=f"{home}/.ipython",
                   PYTHONPATH=str(UTILS.parent))
        return [sys.executable, "-m", "utils.instructor.grading.worker"], env, _preexec(limits, None, home)
    env.update(HOME=INSIDE_HOME, TMPDIR=INSIDE_HOME, MPLCONFIGDIR=f"{INSIDE_HOME}/.mpl",
               IPYTHONDIR=f"{INSIDE_HOME}/.ipython", PYTHONPATH=INSIDE_PKG)
    cmd = [BWRAP, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
           "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    if uid is None:  # an ordinary user: a user namespace, inside which the submission is uid 1000
        cmd += ["--unshare-user", "--uid", "1000", "--gid", "1000", "--cap-drop", "ALL"]
    else:  # root: keep only what setpriv needs to become the fresh user, which then drops it
        cmd += ["--cap-drop", "ALL"] + [a for c in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
                                        for a in ("--cap-add", c)]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    for d in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/ld.so.conf",
              "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime", "/etc/fonts"):
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        elif os.path.exists(d):
            cmd += ["--ro-bind", d, d]
    # /tmp first: the interpreter may live under /tmp (a CI clone), and a later mount covers an earlier one
    cmd += ["--perms", "01777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
    made = set()
    for p in _python_paths() + [f"{INSIDE_PKG}/utils"]:
        for parent in reversed(Path(p).parents[:-1]):  # readable parents (bwrap would make them 0700)
            if str(parent) not in made:
                made.add(str(parent))
                cmd += ["--perms", "0755", "--dir", str(parent)]
    for p in _python_paths():
        cmd += ["--ro-bind", p, p]
    cmd += ["--ro-bind", str(UTILS), f"{INSIDE_PKG}/utils", "--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp", "--"]
    if uid is not None:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
    return cmd + argv, {}, _preexec(limits, uid, None)


def _preexec(limits: Limits, uid: int | None, cwd: str | None):
    def apply():
        os.setsid()
        if cwd:
            os.chdir(cwd)
        mb = 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.tmp_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
        if uid is not None:  # counted per user: with a fresh user id, the submission's processes alone
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes,) * 2)
    return apply
