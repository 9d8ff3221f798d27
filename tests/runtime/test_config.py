import importlib
import random

import numpy as np
import pytest

import utils.config as config


def reload_with(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("LAB_FAST", raising=False)
    else:
        monkeypatch.setenv("LAB_FAST", value)
    return importlib.reload(config)


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("0", False), ("", False), (None, False)])
def test_fast_flag_follows_environment(monkeypatch, value, fast):
    cfg = reload_with(monkeypatch, value)
    assert cfg.FAST is fast
    assert cfg.pick(fast="small", full="big") == ("small" if fast else "big")
    monkeypatch.setenv("LAB_FAST", "1")
    importlib.reload(config)  # leave the module in the mode the test run uses


def test_seed_everything_makes_generators_repeat():
    config.seed_everything(3)
    a = (random.random(), np.random.rand())
    import torch
    t = torch.rand(2)
    config.seed_everything(3)
    assert (random.random(), np.random.rand()) == a
    assert torch.equal(torch.rand(2), t)


@pytest.mark.parametrize("bad", [-1, 1.5, "3"])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        config.seed_everything(bad)


def test_device_is_cpu_without_cuda():
    import torch
    assert config.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_lab_device_forces_the_device(monkeypatch):
    import torch
    monkeypatch.setenv("LAB_DEVICE", "cpu")
    assert config.device() == torch.device("cpu")
    monkeypatch.setenv("LAB_DEVICE", "tpu")
    with pytest.raises(ValueError, match="LAB_DEVICE"):
        config.device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("LAB_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        config.device()


@pytest.mark.parametrize("fast, cuda, want", [(True, True, "fast"), (False, False, "full"), (False, True, "gpu")])
def test_pick_takes_the_gpu_budget_only_in_full_mode_on_a_gpu(monkeypatch, fast, cuda, want):
    import torch
    monkeypatch.setattr(config, "FAST", fast)
    monkeypatch.delenv("LAB_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert config.pick(fast="fast", full="full", gpu="gpu") == want
    assert config.pick(fast="fast", full="full") == ("fast" if fast else "full")
    monkeypatch.setenv("LAB_DEVICE", "cpu")  # a GPU machine told to use its CPU
    assert config.pick(fast="fast", full="full", gpu="gpu") == ("fast" if fast else "full")
