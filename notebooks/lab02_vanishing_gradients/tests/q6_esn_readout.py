from otter.test_files import test_case

OK_FORMAT = False

name = "q6_esn_readout"
points = 3

@test_case(points=1, hidden=False)
def test_esn_public(scale_to_spectral_radius, ridge_readout, np):
    W = np.array([[0.0, 2.0], [-2.0, 0.0]])
    W2 = scale_to_spectral_radius(W, 0.5)
    assert W2 is not None and np.allclose(W2, W / 4), 'rescale W by rho / (its spectral radius)'
    S = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    y = S @ np.array([2.0, -1.0]) + 0.5
    out = ridge_readout(S, y, 0.0)
    assert out is not None and len(out) == 2, 'return (w, b)'
    w, b = out
    assert np.shape(w) == (2,), f'w has shape {np.shape(w)}, expected (2,)'
    assert np.allclose(w, [2.0, -1.0]) and np.isclose(b, 0.5), 'lam = 0 must recover an exact fit'
    w_big, b_big = ridge_readout(S, y, 1000000.0)
    assert np.abs(w_big).max() < 0.0001 and np.isclose(b_big, y.mean(), atol=0.001), 'a huge lam drives w to 0 and b to the mean of y (b is not penalised)'

