"""What a measurement ran on: the machine's description and its load (for ``bench``, ``speed``)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                           if line.startswith("MemTotal")).split()[1])
        mem_gib = round(mem_kib / 2**20)
    except (OSError, StopIteration, ValueError):
        mem_gib = None
    gpu = None
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    desc = f"{cores}-core CPU ({cpu})" + (f", {mem_gib} GiB RAM" if mem_gib else "")
    desc += f", GPU: {gpu}" if gpu else ", no GPU"
    return {"description": desc, "cores": cores, "cpu": cpu, "memory_gib": mem_gib, "gpu": gpu,
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch_version,
            "os": platform.platform()}


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"
    except OSError:
        return "load average unknown"
