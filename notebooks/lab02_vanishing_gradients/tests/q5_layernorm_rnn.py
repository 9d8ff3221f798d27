from otter.test_files import test_case

OK_FORMAT = False

name = "q5_layernorm_rnn"
points = 6

@test_case(points=None, hidden=False)
def test_ln_step_public(ln_rnn_step_forward, ln_rnn_step_backward, np):
    N, D, H = (3, 4, 5)
    x = np.linspace(-1, 1, N * D).reshape(N, D)
    h_prev = np.linspace(-0.5, 0.7, N * H).reshape(N, H)
    Wx = np.linspace(-0.3, 0.4, D * H).reshape(D, H)
    Wh = np.linspace(-0.2, 0.3, H * H).reshape(H, H)
    b, gamma, beta = (np.linspace(-0.1, 0.1, H), np.linspace(0.5, 1.5, H), np.linspace(-0.2, 0.2, H))
    out = ln_rnn_step_forward(x, h_prev, Wx, Wh, b, gamma, beta)
    assert out is not None, 'return (h, cache)'
    h, cache = out
    assert h.shape == (N, H)
    z = np.arctanh(ln_rnn_step_forward(x, h_prev, Wx, Wh, b, np.ones(H), np.zeros(H))[0])
    assert np.allclose(z.mean(axis=1), 0, atol=1e-10) and np.allclose(z.var(axis=1), 1, atol=0.005)
    assert np.allclose(np.arctanh(h), gamma * z + beta, atol=1e-10), 'h = tanh(gamma * normalised + beta)'
    h3, _ = ln_rnn_step_forward(x, h_prev, 3 * Wx, 3 * Wh, 3 * b, gamma, beta)
    assert np.allclose(h3, h, atol=0.002)
    grads = ln_rnn_step_backward(np.ones((N, H)), cache)
    assert grads is not None and len(grads) == 7
    shapes = [(N, D), (N, H), (D, H), (H, H), (H,), (H,), (H,)]
    assert [np.shape(g) for g in grads] == shapes, f'gradient shapes must be {shapes}'
    assert np.allclose(grads[6], (1 - h ** 2).sum(0)), "dbeta = sum over the batch of dh * tanh'"

