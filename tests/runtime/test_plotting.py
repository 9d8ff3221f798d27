"""Shared figures and widgets in utils.plotting and utils.widgets: image grids, dependency maps, grid worlds."""

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


def test_draw_grid_world_marks_landmarks_goal_start_and_paths():
    from utils.data.gridnav import LANDMARKS
    from utils.plotting import draw_grid_world

    grid = np.zeros((4, 4), dtype=int)
    grid[0, 3] = 1                                   # a wall
    grid[1, 1] = 2 + LANDMARKS.index(("red", "circle"))
    grid[3, 0] = 2 + LANDMARKS.index(("blue", "square"))
    path = np.array([[2, 2], [2, 1], [2, 0]])
    ax = draw_grid_world(grid, (2, 2, 3), LANDMARKS.index(("blue", "square")),
                         [("a", path, "tab:orange", True), ("b", path[:2], "tab:blue", None)], title="t")
    # two landmarks, the goal's ring, one end marker (path b has none)
    offsets = [tuple(col.get_offsets()[0]) for col in ax.collections]
    assert len(ax.collections) == 4
    assert (0.0, 3.0) in offsets                     # the ring is on the goal (x = column, y = row)
    assert offsets.count((0.0, 3.0)) == 2            # the blue square and its ring
    lines = {line.get_label(): line for line in ax.lines}
    assert set(lines) == {"a", "b"}
    # two paths: shifted by -0.05 and +0.05 of a cell, in (x, y) = (column, row)
    np.testing.assert_allclose(lines["a"].get_xydata(), path[:, ::-1] - 0.05)
    np.testing.assert_allclose(lines["b"].get_xydata(), path[:2, ::-1] + 0.05)
    assert ax.texts[0].xy == (2 - 0.45, 2)           # the start arrow points west (heading 3)
    assert ax.images[0].get_array()[0, 3] and not ax.images[0].get_array()[1, 1]
    plt.close("all")
    with pytest.raises(ValueError, match="goal landmark"):
        draw_grid_world(grid, (2, 2, 0), LANDMARKS.index(("green", "triangle")))
