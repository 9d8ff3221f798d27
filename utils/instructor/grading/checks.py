"""Runs a lab's tests against one submission, in the grader's process.

Each test function receives, by parameter name: the grader's own modules for ``np``,
``numpy``, ``torch``, ``nn``, ``F`` and ``math``; the secret seed of this run for
``seed``; and for any other name the notebook's global of that name, as plain data or as
a ``Remote``. The test then computes its references here and compares. Nothing the
notebook defines runs in this process.

Feedback is written in the grader's words: the test's name and its assertion message, or
a short description of what went wrong, never the test's code.
"""

from __future__ import annotations

import math
import time

import numpy

from ... import testkit
from .remote import Remote, SessionEnded, StudentError, from_submission

MAX_FEEDBACK_LINE = 300


def trusted_modules() -> dict:
    import torch
    import torch.nn.functional as F
    from torch import nn
    return {"np": numpy, "numpy": numpy, "torch": torch, "nn": nn, "F": F, "math": math}


def _has_remote(values, depth: int = 0) -> bool:
    """Is an object of the notebook among these values (looking into lists, tuples, dicts)?"""
    for v in values:
        if isinstance(v, Remote):
            return True
        if depth < 8 and isinstance(v, (list, tuple)) and _has_remote(v, depth + 1):
            return True
        if depth < 8 and isinstance(v, dict) and _has_remote(v.values(), depth + 1):
            return True
    return False


def _boundary(session):
    """testkit drivers given an object of the notebook run in the notebook's process."""
    def send(name, args, kwargs):
        if _has_remote(args) or _has_remote(kwargs.values()):
            return session.kit(name, args, kwargs)
        return getattr(testkit, name).__wrapped__(*args, **kwargs)
    return send


def run_case(session, case, seed: int, test_timeout: float, names: dict) -> tuple[bool, str]:
    """(passed, reason). Raises SessionEnded when the submission's process is gone."""
    modules = trusted_modules()
    kwargs = {}
    session.case_deadline = time.monotonic() + test_timeout
    try:
        for p, has_default in case.params:
            if p in modules:
                kwargs[p] = modules[p]
            elif p == "seed":
                kwargs[p] = seed
            elif p not in names:
                try:
                    names[p] = ("ok", session.lookup(p))
                except NameError:
                    names[p] = ("missing", None)
            if p in names:
                if names[p][0] == "missing":
                    if has_default:
                        continue
                    return False, f"the notebook does not define {p}"
                kwargs[p] = names[p][1]
    except SessionEnded:
        raise
    except BaseException as e:  # noqa: BLE001 (the notebook's lookup raised)
        return False, _describe(e)
    testkit._boundary.send = _boundary(session)
    try:
        case.func(**kwargs)
        return True, ""
    except SessionEnded:
        raise
    except BaseException as e:  # noqa: BLE001 (a failed check, or the notebook's code raised)
        return False, _describe(e)
    finally:
        testkit._boundary.send = None


def _describe(e: BaseException) -> str:
    if from_submission(e) or isinstance(e, StudentError):
        kind = type(e).__name__ if not isinstance(e, StudentError) else ""
        text = f"{kind}: {e}" if kind else str(e)
        if isinstance(e, TimeoutError):
            return "stopped: it ran past the time limit for one test"
        return f"the notebook's code raised {text}"[:MAX_FEEDBACK_LINE]
    if isinstance(e, AssertionError):  # the test's own message, first line only (no arrays of values)
        msg = str(e).strip().split("\n")[0]
        return (msg or "a result differs from the reference")[:MAX_FEEDBACK_LINE]
    return f"a result could not be checked ({type(e).__name__}: wrong type or shape?)"


def grade_questions(session, lab, seed: int, test_timeout: float):
    """({question: (score, [(case name, hidden, passed, reason)])}, SessionEnded or None).
    When the submission's process ends, the question in progress and the later ones are
    absent from the results: they score 0."""
    results, names = {}, {}
    for q in lab.questions:
        cases = []
        for case in q.cases:
            try:
                passed, reason = run_case(session, case, seed, test_timeout, names)
            except SessionEnded as ended:
                return results, ended
            cases.append((case.name, case.hidden, passed, reason))
        if q.all_or_nothing:
            score = q.points if all(c[2] for c in cases) else 0.0
        else:
            score = float(sum(case.points for case, c in zip(q.cases, cases) if c[2]))
        results[q.name] = (min(score, q.points), cases)
    return results, None
