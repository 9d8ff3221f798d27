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


def test_dropdowns_with_text_boxes_and_show_answer():
    import matplotlib

    matplotlib.use("Agg")
    from utils.plotting import show_answer
    from utils.widgets import dropdowns

    seen = []
    dropdowns(lambda scene, question: seen.append((scene, question)), {"scene": [3, 1]},
              texts={"question": "is there a circle ?"}, static=True)
    assert seen == [(3, "is there a circle ?")], "default static setting: first option value and the initial text"
    dropdowns(lambda scene, question: seen.append((scene, question)), {"scene": [3, 1]},
              texts={"question": "x"}, static=True, static_values=[{"scene": 1, "question": "how many ?"}])
    assert seen[-1] == (1, "how many ?")
    with pytest.raises(ValueError, match="both as an option and as a text"):
        dropdowns(print, {"scene": [1]}, texts={"scene": "x"}, static=True)
    axes = show_answer(np.zeros((3, 32, 32)), np.full(64, 1 / 64), ["red", "blue"], [0.7, 0.2], title="q")
    assert len(axes) == 3 and [t.get_text() for t in axes[2].get_yticklabels()] == ["blue", "red"]
    with pytest.raises(ValueError, match="one probability per answer"):
        show_answer(np.zeros((3, 32, 32)), np.full(64, 1 / 64), ["red"], [0.7, 0.2])

