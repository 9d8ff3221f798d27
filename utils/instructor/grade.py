"""``python -m utils.instructor.grade SUBMISSIONS --lab LAB --out OUT``: see ``utils.instructor.grading``."""

import sys

from .grading.cli import NoSandbox, grade_folder, grade_submission, main
from .grading.lab import autograder_zip, load_lab
from .grading.runner import STATUSES, Grade, read_submission

__all__ = ["NoSandbox", "grade_folder", "grade_submission", "main", "autograder_zip", "load_lab", "STATUSES",
           "Grade", "read_submission"]

if __name__ == "__main__":
    sys.exit(main())
