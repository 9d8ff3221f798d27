from otter.test_files import test_case

OK_FORMAT = False

name = "q7_top_cells"
points = 2

@test_case(points=None, hidden=False)
def test_top_cells_simple(top_cells, np):
    y = np.linspace(0, 1, 50) ** 2
    acts = np.stack([-y, np.cos(7 * y), 2 * y + 0.05 * np.sin(40 * y), np.ones(50)], axis=1)
    out = top_cells(acts, y, 2)
    assert out is not None, 'top_cells returned None'
    idx, r = out
    assert list(idx) == [0, 2]
    assert np.isclose(r[0], -1.0) and 0.99 < r[1] < 1.0

