from otter.test_files import test_case

OK_FORMAT = False

name = "q2_clipping"
points = 4

@test_case(points=None, hidden=False)
def test_clip_basic(clip_grad_norm, clip_grad_value, np):
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    out = clip_grad_norm(g, 1.0)
    assert out is not None, 'clip_grad_norm must return (clipped, total_norm)'
    clipped, total = out
    assert abs(total - 5.0) < 1e-12, 'the joint norm of [3, 0] and [[4]] is 5'
    assert np.allclose(clipped[0], [0.6, 0.0]) and np.allclose(clipped[1], [[0.8]])
    assert np.array_equal(g[0], [3.0, 0.0]), 'do not modify the inputs'
    clipped, total = clip_grad_norm(g, 10.0)
    assert np.allclose(clipped[0], g[0]) and np.allclose(clipped[1], g[1]), 'below the threshold nothing changes'
    v = clip_grad_value([np.array([3.0, -0.5, -2.0])], 1.0)
    assert v is not None and np.allclose(v[0], [1.0, -0.5, -1.0])

