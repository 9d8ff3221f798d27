"""The Colab-image check (instructor tooling): an environment with Colab's versions of
everything the course touches, built from Colab's published package list, in which the
students' set-up cell and every lab run as they would in Colab.

``tests/colab/pip-freeze.gpu.txt`` is Google's own ``pip freeze`` of Colab's GPU runtime
(github.com/googlecolab/backend-info; source and date in ``tests/colab/README.md``).
:func:`build` makes a virtual environment holding, at exactly those versions, the packages
the course touches: the runtime dependencies of ``utils`` that Colab ships, the kernel, and
every preinstalled package that what the set-up cell adds (:data:`utils.colab.ADD`)
requires. pip computes that closure: it installs the lot with the freeze as constraints,
then the added packages are uninstalled again, so the environment is "Colab before the
first cell". Two differences from Colab, both forced by this machine: the Python is the
build machine's 3.11 (Colab: 3.13) and torch is the local CPU build 2.13.0 (Colab:
2.11.0+cu128), because the only torch this machine may install without pulling a
multi-gigabyte CUDA build is that cp311 CPU wheel.

The environment is cached outside the checkout (``~/.cache/rnn-labs/colab-image-<key>``,
the key hashing the freeze, :data:`~utils.colab.ADD`, the runtime dependencies, the Python,
the torch version and :data:`BUILD`), so a clean CI checkout on the same machine reuses it.

Usage::

    python -m utils.instructor.colabimage build                 # build (or reuse) the environment; print its path
    python -m utils.instructor.colabimage refresh FREEZE [--source TEXT] [--date YYYY-MM-DD]
                                                     # vendor a new Colab pip-freeze.gpu.txt
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .. import colab
from .execute import execute as run_notebook
from .paths import ROOT, repository
from .publish import copy_published
from .student import COLAB_CHECKOUT, SETUP_MARKER

VENDORED = ROOT / "tests" / "colab"
FREEZE = VENDORED / "pip-freeze.gpu.txt"
OS_INFO = VENDORED / "os-info-gpu.txt"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rnn-labs"

# The build machine's torch: a CPU wheel on local disk (cp311). Any other version would
# pull a multi-gigabyte CUDA build from PyPI.
LOCAL_TORCH = "2.13.0"
PYTHON = os.environ.get("COLAB_IMAGE_PYTHON", "python3.11")
# What runs the notebooks besides the course's own dependencies (all preinstalled in Colab).
KERNEL = ["ipykernel", "ipython", "jupyter-client", "pip"]
# torch 2.13.0's requirements. It is installed with --no-deps after them because it also asks
# for setuptools>=77.0.3 and Colab ships setuptools 75.2.0 (torch needs setuptools only to
# compile C++ extensions, which the course never does); the others are Colab's versions.
TORCH_DEPS = ["filelock", "typing-extensions", "sympy", "networkx", "jinja2", "fsspec"]
# Bump when build() changes what it makes (part of the cache key).
BUILD = 1
# Not Colab's own packages (pip and its build tools aside, which the freeze lists too).
NOT_COMPARED = {"torch"}  # the CPU build stands in for Colab's CUDA build


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_freeze(path: Path = FREEZE) -> dict[str, str]:
    """{normalised name: version} of the ``name==version`` lines of a pip freeze (direct
    URL lines such as ``google-colab @ file:///...`` are Colab-internal and skipped)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "==" not in line:
            continue
        name, version = line.split("==", 1)
        pins[normalise(name)] = version.strip()
    return pins


def runtime_requirements(root: Path = ROOT) -> list[str]:
    """``[project] dependencies`` of pyproject.toml: what ``utils`` needs at run time."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]


def requirement_name(req: str) -> str:
    return normalise(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])


def touched(root: Path = ROOT) -> list[str]:
    """The preinstalled packages the environment is built from (pip adds their closure)."""
    add = {normalise(n) for n in colab.ADD}
    names = [requirement_name(r) for r in runtime_requirements(root)] + KERNEL + TORCH_DEPS
    return sorted({n for n in names if n not in add and n != "torch"})


def constraints(pins: dict[str, str]) -> str:
    """Colab's pins as a pip constraints file, torch replaced by the local CPU build and
    Colab's CUDA builds of torchvision/torchaudio (which need Colab's torch) dropped."""
    lines = []
    for name, version in sorted(pins.items()):
        if name == "torch":
            version = LOCAL_TORCH
        elif "+cu" in version:
            continue
        lines.append(f"{name}=={version}")
    return "\n".join(lines) + "\n"


def cache_key(root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for part in (FREEZE.read_bytes(), json.dumps(colab.ADD, sort_keys=True).encode(),
                 json.dumps(touched(root)).encode(), f"{PYTHON} {LOCAL_TORCH} {BUILD}".encode()):
        h.update(part)
    return h.hexdigest()[:16]


def env_python(env: Path) -> Path:
    return env / "bin" / "python"


def _run(cmd, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        # this machine's pip configuration names local indexes that may not exist: noise
        err = "\n".join(ln for ln in proc.stderr.splitlines() if not ln.startswith("WARNING: Location"))
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{err}")
    return proc.stdout


def versions(env: Path) -> dict[str, str]:
    """{normalised name: version} of what is installed in ``env`` (read by its own Python)."""
    code = ("import json\nfrom importlib import metadata\n"
            "print(json.dumps({d.metadata['Name']: d.version for d in metadata.distributions()\n"
            "                  if d.metadata['Name']}))")
    raw = json.loads(_run([env_python(env), "-I", "-c", code]))
    return {normalise(k): v for k, v in raw.items()}


def differences(env_versions: dict[str, str], pins: dict[str, str]) -> list[str]:
    """What in ``env_versions`` is not Colab's: absent from Colab or at another version."""
    problems = []
    for name, version in sorted(env_versions.items()):
        if name in NOT_COMPARED:
            continue
        if name not in pins:
            problems.append(f"{name} {version} (Colab does not ship it)")
        elif pins[name] != version:
            problems.append(f"{name} {version} (Colab: {pins[name]})")
    return problems


GOOGLE_COLAB_STUB = '''"""Stand-in for Colab's google.colab (only its presence matters to the course)."""
'''


def build(root: Path = ROOT, log=print) -> Path:
    """Build (or reuse) the Colab-image environment; return its folder."""
    key = cache_key(root)
    env = CACHE / f"colab-image-{key}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "colab-image.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (env / ".complete").exists():
            (env / ".complete").touch()  # in use: see _prune
            return env
        tmp = CACHE / f"colab-image-{key}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        pins = read_freeze()
        log(f"building the Colab-image environment in {env} (once per change of its inputs)")
        _run([PYTHON, "-m", "venv", tmp])
        py = env_python(tmp)
        (tmp / "colab-constraints.txt").write_text(constraints(pins))
        pip = [py, "-m", "pip", "--disable-pip-version-check", "install", "-q"]
        _run([*pip, f"pip=={pins['pip']}"])
        # Colab's versions of what the course touches, plus what the set-up cell adds (so that
        # pip pulls in, at Colab's versions, everything those require) ...
        _run([*pip, "-c", tmp / "colab-constraints.txt", *touched(root),
              *(f"{n}=={v}" for n, v in colab.ADD.items())])
        # ... then the added packages go again: this is Colab before the first cell.
        _run([py, "-m", "pip", "uninstall", "-y", "-q", *colab.ADD])
        _run([*pip, "--no-deps", f"torch=={LOCAL_TORCH}"])
        site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
        (site / "google" / "colab").mkdir(parents=True, exist_ok=True)
        (site / "google" / "colab" / "__init__.py").write_text(GOOGLE_COLAB_STUB)
        # Colab's own image does not satisfy every requirement of what it ships (it has no
        # jedi for ipython, no overrides for jupyter_server): what pip pulled in that Colab
        # lacks goes, so that the environment holds nothing Colab does not.
        extra = [n for n in versions(tmp) if n not in pins and n not in NOT_COMPARED]
        if extra:
            log(f"removing what Colab does not ship: {', '.join(sorted(extra))}")
            _run([py, "-m", "pip", "uninstall", "-y", "-q", *extra])
        problems = differences(versions(tmp), pins)
        if problems:
            raise RuntimeError("the Colab-image environment holds packages Colab does not have:\n  "
                               + "\n  ".join(problems))
        (tmp / ".complete").write_text(key + "\n")
        os.replace(tmp, env)  # the venv runs from its new place through bin/python
        _prune(keep=env)
    return env


def _prune(keep: Path, days: float = 7) -> None:
    """Drop Colab-image environments (about 1.6 GB each) that no run has used for ``days``
    days, and private copies left by killed runs. Other checkouts on this machine may use
    other environments (another freeze or ADD), so recent ones stay."""
    import time

    now = time.time()
    for old in CACHE.glob("colab-image-*"):
        stamp = old / ".complete"
        age = now - (stamp.stat().st_mtime if stamp.exists() else old.stat().st_mtime)
        if old.is_dir() and old != keep and age > days * 86400:
            shutil.rmtree(old, ignore_errors=True)
    for run in CACHE.glob("run-*"):
        if run.is_dir() and now - run.stat().st_mtime > 86400:
            shutil.rmtree(run, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Running notebooks "in Colab": a private copy of the environment, a kernel whose IPython
# imports google.colab at start (as Colab's does), and a `git` that "clones" the course
# from this checkout.

def private_copy(env: Path, dest: Path) -> Path:
    """A copy of ``env`` that a run may change (hard links: about 2 s, no extra space).
    pip and Python write new files rather than rewriting old ones, so the cache stays intact."""
    if dest.exists():
        shutil.rmtree(dest)
    _run(["cp", "-al", env, dest])
    return dest


def fake_clone(argv: list[str], root: Path = ROOT) -> None:
    """``git clone [--depth=1] [--branch=B] URL DEST`` of the course: copies what the published
    repository holds (``publish.PUBLISHED``) from the checkout at ``root`` to DEST."""
    url, branch = repository(root)
    positional = [a for a in argv if not a.startswith("-")]
    if len(positional) != 2 or positional[0] != url:
        raise SystemExit(f"fake git clone: expected `git clone ... {url} DEST`, got {argv}")
    if f"--branch={branch}" not in argv:
        raise SystemExit(f"fake git clone: expected --branch={branch}, got {argv}")
    dest = Path(positional[1])
    if dest.exists():
        raise SystemExit(f"fatal: destination path '{dest}' already exists")
    dest.mkdir(parents=True)
    copy_published(dest, root)


def kernel_dir(env: Path, work: Path, extra_env: dict[str, str] | None = None) -> Path:
    """Write, under ``work``, a kernelspec running ``env``'s Python as Colab would (IPython
    imports google.colab at start; `git clone` of the course copies this checkout); return
    the folder holding the kernelspecs (name: ``colab-image``)."""
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    real_git = shutil.which("git") or "/usr/bin/git"
    git = bin_dir / "git"
    git.write_text(f"""#!{sys.executable}
import os, sys
if sys.argv[1:2] != ["clone"]:
    os.execv({real_git!r}, [{real_git!r}, *sys.argv[1:]])
sys.path.insert(0, {str(ROOT)!r})
from utils.instructor.colabimage import fake_clone
fake_clone(sys.argv[2:])
""")
    git.chmod(0o755)
    startup = work / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-colab.py").write_text("import google.colab  # Colab's kernel has it imported\n")
    spec = work / "kernels" / "colab-image"
    spec.mkdir(parents=True, exist_ok=True)
    kernel_env = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                  "IPYTHONDIR": str(work / "ipython"), "PYTHONNOUSERSITE": "1",
                  "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                  "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                  **(extra_env or {})}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(env_python(env)), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab image)", "language": "python", "env": kernel_env}))
    return work / "kernels"


def execute(nb, kernels: Path, cwd: Path, timeout: int = 300):
    """Execute ``nb`` (in place) in the ``colab-image`` kernel under ``kernels``, in ``cwd``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="colab-image",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    run_notebook(nb, cwd, km=km, timeout=timeout)
    return nb


def as_in_colab(nb, content: Path):
    """``nb`` with its set-up cell cloning into ``content/rnn-labs`` instead of /content/rnn-labs
    (the one change the check makes to what students run)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(SETUP_MARKER):
            cell.source = cell.source.replace(COLAB_CHECKOUT, str(content / "rnn-labs"))
            return nb
    raise ValueError("the notebook has no RNN Labs set-up cell")


def check_outputs(nb) -> list[tuple[str, bool, str]]:
    """(question, passed, what otter said) for every ``grader.check("...")`` cell of ``nb``."""
    results = []
    for cell in nb.cells:
        m = re.fullmatch(r'\s*grader\.check\("([^"]+)"\)\s*', cell.source) if cell.cell_type == "code" else None
        if not m:
            continue
        text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                         for o in cell.outputs)
        passed = f"{m.group(1)} results: All test cases passed!" in text  # otter's summary
        results.append((m.group(1), passed, text.strip()))
    return results


def refresh(freeze: Path, source: str, date: str, os_info: Path | None = None) -> None:
    """Vendor a new Colab ``pip-freeze.gpu.txt`` (and ``os-info-gpu.txt``) with its source."""
    text = Path(freeze).read_text()
    pins = read_freeze(Path(freeze))
    for needed in ("pip", "ipykernel", "ipywidgets", "numpy"):
        if needed not in pins:
            raise ValueError(f"{freeze} does not look like Colab's pip freeze (no {needed})")
    VENDORED.mkdir(parents=True, exist_ok=True)
    FREEZE.write_text(text)
    if os_info is not None:
        OS_INFO.write_text(Path(os_info).read_text())
    readme = VENDORED / "README.md"
    body = readme.read_text() if readme.exists() else ""
    line = f"Vendored: {date}, from {source}."
    body = re.sub(r"^Vendored: .*$", line, body, flags=re.M) if "Vendored:" in body else body + "\n" + line + "\n"
    readme.write_text(body)
    print(f"vendored {len(pins)} pins into {FREEZE.relative_to(ROOT)}; now run `make test` "
          f"(the Colab-image check rebuilds its environment from them)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.instructor.colabimage", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    p = sub.add_parser("refresh")
    p.add_argument("freeze", type=Path, help="Colab's pip-freeze.gpu.txt")
    p.add_argument("--os-info", type=Path, help="Colab's os-info-gpu.txt (optional)")
    p.add_argument("--source", required=True, help="where it came from (repository, commit)")
    p.add_argument("--date", required=True, help="the date of that commit, YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        print(build())
    else:
        refresh(args.freeze, args.source, args.date, args.os_info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
