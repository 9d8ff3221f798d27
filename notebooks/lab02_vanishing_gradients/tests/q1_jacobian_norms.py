from otter.test_files import test_case

OK_FORMAT = False

name = "q1_jacobian_norms"
points = 5

@test_case(points=None, hidden=False)
def test_jacobian_norms_linear(jacobian_norms, run_rnn, np):
    H, T = (4, 6)
    Wh = 0.5 * np.eye(H)
    hs = run_rnn(Wh, np.zeros((T, H)), 'identity')
    norms = jacobian_norms(Wh, hs, 'identity')
    assert norms is not None and np.shape(norms) == (T + 1,), 'norms must have shape (T + 1,)'
    assert np.allclose(norms, 0.5 ** (T - np.arange(T + 1)), rtol=1e-12), 'for Wh = 0.5 I the norms are 0.5^(T-k)'
    Q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((H, H)))
    norms = jacobian_norms(1.2 * Q, run_rnn(1.2 * Q, np.zeros((T, H)), 'identity'), 'identity')
    assert np.allclose(norms, 1.2 ** (T - np.arange(T + 1)), rtol=1e-10), '1.2 x orthogonal: norms are 1.2^(T-k)'

