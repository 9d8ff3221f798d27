"""Shared helpers for the RNN Labs course.

Every lab imports from here: ``config`` (fast/full mode, device, seeds), ``gradcheck``
(numerical gradients), ``data`` (datasets, offline by default), ``plotting`` and
``widgets`` (figures and ipywidgets with static fallbacks), ``colab`` (the bootstrap),
``release`` and ``grade`` (instructor tooling). Lab solutions never live here.
"""

__version__ = "0.1.0"
