"""utils.widgets: every widget's static fallback draws, and bad input is refused.

(The Colab-image check, tests/labs/test_colab_image.py, drives each widget on ipywidgets 7.7.1.)
"""

import numpy as np
import pytest


def test_dropdowns_static_path_calls_render_for_each_setting():
    from utils.widgets import dropdowns

    calls = []
    options = {"rho": [0.5, 1.0, 1.5], "nonlinearity": ["tanh", "relu"]}
    out = dropdowns(lambda rho, nonlinearity: calls.append((rho, nonlinearity)), options, static=True,
                    static_values=[{"rho": 0.5, "nonlinearity": "tanh"}, {"rho": 1.5, "nonlinearity": "relu"}])
    assert out is None and calls == [(0.5, "tanh"), (1.5, "relu")]
    calls.clear()
    dropdowns(lambda rho, nonlinearity: calls.append((rho, nonlinearity)),
              {"rho": [0.9, 1.1], "nonlinearity": ["identity"]}, static=True)
    assert calls == [(0.9, "identity")], "default static setting: the first value of every option"


def test_dropdowns_bad_input():
    from utils.widgets import dropdowns

    with pytest.raises(ValueError, match="at least one option"):
        dropdowns(lambda: None, {}, static=True)
    with pytest.raises(ValueError, match="has none"):
        dropdowns(lambda rho: None, {"rho": []}, static=True)
    with pytest.raises(ValueError, match="unknown options"):
        dropdowns(lambda rho: None, {"rho": [1.0]}, static=True, static_values=[{"gain": 1}])


def test_show_attention_and_dropdowns():
    import matplotlib

    matplotlib.use("Agg")
    from utils.plotting import show_attention
    from utils.widgets import dropdowns

    img = np.zeros((3, 32, 32))
    axes = show_attention(img, ["a", "red"], np.full((2, 64), 1 / 64))
    assert len(axes) == 3
    with pytest.raises(ValueError, match=r"\(len\(words\)=2, L\)"):
        show_attention(img, ["a", "red"], np.ones((3, 64)))
    with pytest.raises(ValueError, match=r"\(3, S, S\)"):
        show_attention(np.zeros((32, 32, 3)), ["a"], np.ones((1, 64)))
    seen = []
    assert dropdowns(lambda image, method: seen.append((image, method)),
                     {"image": [0, 1], "method": ["greedy"]}, static=True,
                     static_values=[{"image": 1, "method": "greedy"}]) is None
    assert seen == [(1, "greedy")]
    with pytest.raises(ValueError, match="at least one"):
        dropdowns(print, {"image": []}, static=True)
