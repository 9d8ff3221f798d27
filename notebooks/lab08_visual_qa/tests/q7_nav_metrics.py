from otter.test_files import test_case

OK_FORMAT = False

name = "q7_nav_metrics"
points = 2

@test_case(points=None, hidden=False)
def test_nav_metrics_by_hand(nav_metrics):
    sr, spl = nav_metrics([True, True, False, True], [4, 7, 3, 2], [4, 4, 5, 3])
    assert abs(sr - 0.75) < 1e-12, 'success rate'
    assert abs(spl - (1 + 4 / 7 + 0 + 1) / 4) < 1e-12, 'SPL'

