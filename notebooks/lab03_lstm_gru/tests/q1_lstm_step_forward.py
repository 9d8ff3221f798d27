from otter.test_files import test_case

OK_FORMAT = False

name = "q1_lstm_step_forward"
points = 3

@test_case(points=None, hidden=False)
def test_lstm_step_closed_form(lstm_step_forward, np):
    N, D, H = (3, 4, 5)
    x = np.linspace(-1, 1, N * D).reshape(N, D)
    h = np.linspace(-0.5, 0.5, N * H).reshape(N, H)
    c = np.linspace(-2, 2, N * H).reshape(N, H)
    b = np.linspace(-1, 1, 4 * H)
    s = lambda v: 1 / (1 + np.exp(-v))
    out = lstm_step_forward(x, h, c, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
    assert out is not None, 'lstm_step_forward returned None'
    next_h, next_c, _ = out
    want_c = s(b[H:2 * H]) * c + s(b[:H]) * np.tanh(b[3 * H:])
    assert next_h.shape == (N, H) and next_c.shape == (N, H)
    assert np.allclose(next_c, want_c, atol=1e-12)
    assert np.allclose(next_h, s(b[2 * H:3 * H]) * np.tanh(want_c), atol=1e-12)

