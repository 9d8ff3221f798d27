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
