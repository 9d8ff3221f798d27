"""What the RNN Labs notebooks import.

``config`` (fast/full mode, device, seeds), ``gradcheck`` (numerical gradients, the shape
check and the gradient-check report), ``training`` (per-member gradient clipping),
``data`` (datasets, offline by default), ``plotting`` and ``widgets`` (figures and
ipywidgets with static fallbacks), ``charlstm`` (Lab 3's character model), ``testkit``
(what tests hand to a student's code), ``colab`` (the notebooks' first cell).
``artefacts/`` holds committed results that labs and the book load. Instructor tooling
lives in ``utils.instructor`` and is never published to students. Lab solutions never
live here.
"""

from pathlib import Path

__version__ = "0.1.0"

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
