"""``python -m utils.instructor.release``: the commands that turn masters into what students get.

    python -m utils.instructor.release students [LAB ...]     # regenerate notebooks/ (make students)
    python -m utils.instructor.release autograder [LAB ...]   # _build/autograder/ and Gradescope zips
    python -m utils.instructor.release solutions [LAB ...]    # execute masters in place, full mode
    python -m utils.instructor.release check                  # exit 1 if notebooks/ is stale
    python -m utils.instructor.release setup-cell LAB         # print the set-up cell for a master
    python -m utils.instructor.release release DEST           # the student-facing copy (make release)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import masters
from .execute import execute
from .paths import ROOT, lab_names, master_path
from .publish import publish
from .student import generate_autograder, generate_student, setup_cell, stale_files


def execute_in_place(lab: str, fast: bool = False, root: Path = ROOT, timeout: int = 1200) -> float:
    """Run a master top to bottom (full mode unless ``fast``) in ``labsolutions/`` and save its
    outputs; return the wall time in seconds."""
    import nbformat

    nb = masters.read(lab, root)
    seconds = execute(nb, master_path(lab, root).parent, env={"LAB_FAST": "1" if fast else "0"},
                      timeout=timeout)
    nbformat.write(nb, master_path(lab, root))
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.instructor.release", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("students", "autograder"):
        p = sub.add_parser(name)
        p.add_argument("labs", nargs="*", help="lab names (default: every lab in labsolutions/)")
    p = sub.add_parser("solutions", help="execute solution notebooks in place (full mode)")
    p.add_argument("labs", nargs="*")
    p.add_argument("--fast", action="store_true", help="fast mode (for trying things out; never commit)")
    sub.add_parser("check")
    p = sub.add_parser("setup-cell")
    p.add_argument("lab")
    p = sub.add_parser("release", help="write the student-facing copy (no solutions, no hidden tests)")
    p.add_argument("dest", type=Path, help="an empty or new folder outside the repository")
    args = parser.parse_args(argv)

    if args.cmd == "release":
        try:
            files = publish(args.dest)
        except ValueError as e:
            print(e, file=sys.stderr)
            return 1
        print(f"wrote {len(files)} files to {args.dest.resolve()}: publish it as its own repository "
              f"(the repository.url in this repository's _config.yml must point there)")
        return 0

    if args.cmd == "setup-cell":
        print(setup_cell(args.lab))
        return 0
    if args.cmd == "check":
        problems = stale_files()
        for line in problems:
            print(line)
        if problems:
            print("notebooks/ is out of date: run `make students` and commit the result.")
        return 1 if problems else 0
    labs = args.labs or lab_names()
    if args.cmd == "solutions":
        for lab in labs:
            seconds = execute_in_place(lab, fast=args.fast)
            print(f"{lab}: executed in {'fast' if args.fast else 'full'} mode in {seconds:.1f} s")
        return 0
    unknown = set(labs) - set(lab_names())
    if unknown:
        parser.error(f"no solution notebook for {sorted(unknown)}; labs are {lab_names()}")
    for lab in labs:
        if args.cmd == "students":
            print("wrote", generate_student(lab, ROOT / "notebooks").relative_to(ROOT))
        else:
            from .grading import gradescope
            print("wrote", generate_autograder(lab, ROOT / "_build" / "autograder").relative_to(ROOT))
            print("wrote", gradescope.build(lab).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
