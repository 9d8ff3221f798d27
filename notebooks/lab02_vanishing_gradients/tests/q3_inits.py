from otter.test_files import test_case

OK_FORMAT = False

name = "q3_inits"
points = 4

@test_case(points=None, hidden=False)
def test_inits_public(orthogonal_init, identity_init, gaussian_init, np):
    W = orthogonal_init(32, np.random.default_rng(0))
    assert W is not None and W.shape == (32, 32)
    assert np.abs(W.T @ W - np.eye(32)).max() < 1e-10, 'orthogonal_init must give W^T W = I to 1e-10'
    assert np.array_equal(W, orthogonal_init(32, np.random.default_rng(0))), 'same rng seed, same matrix'
    assert np.array_equal(identity_init(3, 0.5), 0.5 * np.eye(3))
    G = gaussian_init(400, np.random.default_rng(0), gain=2.0)
    assert G.shape == (400, 400) and abs(G.var() * 400 / 4.0 - 1.0) < 0.02, 'entries must have variance gain^2 / n'

