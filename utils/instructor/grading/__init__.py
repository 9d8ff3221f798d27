"""The grader: a lab's tests run in this (trusted) process; each submission runs in a sandbox.

Modules, one mechanism each:

- ``wire``: the plain-data format that crosses between the two (no pickle, no objects);
- ``sandbox``: the bubblewrap command line and resource limits for one submission;
- ``worker``: the submission's side (runs the notebook, answers requests);
- ``remote``: the grader's side of one submission (requests with deadlines, proxies);
- ``lab``: a lab's questions and test functions, read from its autograder zip;
- ``checks``: runs the tests against one submission, scores, words the feedback;
- ``runner``: grades a list of files, a few at a time, and sets the statuses;
- ``report``: writes grades.csv and the feedback files, safely;
- ``gradescope``: the Gradescope autograder (``make autograder``);
- ``cli``: ``python -m utils.instructor.grade``.


Nothing is imported here: the worker, which starts once per submission, must not pay for
the grader's imports (torch, otter).
"""
