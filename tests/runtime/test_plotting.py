"""Lab 5 helpers in utils.plotting and utils.widgets: image grids and dependency maps."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.plotting import image_grid, plot_dependencies  # noqa: E402
from utils.widgets import dependency_explorer  # noqa: E402


def test_image_grid_shapes():
    ax = image_grid(np.zeros((5, 1, 4, 3)), ncols=2)
    assert ax.images[0].get_array().shape == (3 * 5 + 1, 2 * 4 + 1)  # 3 rows x 2 cols of 4x3 + 1 px gaps
    plt.close("all")
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        image_grid(np.zeros((4, 3)))


def test_plot_dependencies_counts_blind_pixels():
    H, W = 3, 4
    deps = np.tril(np.ones((H * W, H * W), dtype=bool), -1)
    deps[6, 0] = False  # pixel (1, 2) does not see pixel (0, 0)
    ax = plot_dependencies(deps, (H, W), (1, 2), title="m")
    assert ax.get_title().endswith("1 blind")
    plt.close("all")
    with pytest.raises(ValueError, match="pixel"):
        plot_dependencies(deps, (H, W), (3, 0))
    with pytest.raises(ValueError, match=r"\(12, 12\)"):
        plot_dependencies(deps[:5, :5], (H, W), (0, 0))


def test_dependency_explorer_static_and_widget():
    deps = {"a": np.tril(np.ones((16, 16), dtype=bool), -1)}
    assert dependency_explorer(deps, (4, 4), static=True, static_pixels=[(2, 1)]) is None
    box = dependency_explorer(deps, (4, 4))
    assert box is not None
    plt.close("all")
    with pytest.raises(ValueError):
        dependency_explorer({}, (4, 4), static=True)
