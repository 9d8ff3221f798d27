"""Instructor tooling: never imported by a lab, never published to students.

``paths`` (repository layout and labs), ``masters`` (reading master notebooks), ``execute``
(running a notebook), ``student`` (student notebooks and autograders), ``leaks`` (hidden
tests and development traces), ``publish`` (the student-facing copy), ``release`` (their
command line), ``bench``, ``speed`` and ``machine`` (measured runtimes), ``labgrid`` (Lab 3's
reference grid), ``train_charlstm`` (Lab 3's checkpoint), ``colabimage`` (the Colab-image
check), ``book_mathjax`` (the book's MathJax), ``grading`` and ``grade`` (the grader).
ARCHITECTURE.md says what may import what.
"""
