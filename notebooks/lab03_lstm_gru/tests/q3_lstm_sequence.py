from otter.test_files import test_case

OK_FORMAT = False

name = "q3_lstm_sequence"
points = 4

@test_case(points=None, hidden=False)
def test_lstm_sequence(lstm_forward, lstm_backward, lstm_step_forward, np):
    from utils.gradcheck import eval_numerical_gradient_array, rel_error
    rng = np.random.default_rng(1)
    N, T, D, H = (2, 4, 3, 3)
    x, h0 = (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)))
    Wx, Wh, b = (0.5 * rng.normal(size=(D, 4 * H)), 0.5 * rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H))
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    assert h.shape == (N, T, H)
    h1, _, _ = lstm_step_forward(x[:, 0], h0, np.zeros((N, H)), Wx, Wh, b)
    assert np.allclose(h[:, 0], h1)
    dh = rng.normal(size=h.shape)
    grads = lstm_backward(dh, cache)
    for k, arg in enumerate([x, h0, Wx, Wh, b]):
        num = eval_numerical_gradient_array(lambda _: lstm_forward(x, h0, Wx, Wh, b)[0], arg, dh)
        assert rel_error(num, grads[k]) < 1e-07, (k, rel_error(num, grads[k]))

