from otter.test_files import test_case

OK_FORMAT = False

name = "q1_rnn_step"
points = 4

@test_case(points=1, hidden=False)
def test_q1_public(rnn_step_forward, rnn_step_backward, np):
    N, D, H = (3, 10, 4)
    x = np.linspace(-0.4, 0.7, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.2, 0.5, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.1, 0.9, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.3, 0.7, num=H * H).reshape(H, H)
    b = np.linspace(-0.2, 0.4, num=H)
    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    expected = np.asarray([[-0.58172089, -0.50182032, -0.41232771, -0.31410098], [0.66854692, 0.79562378, 0.87755553, 0.92795967], [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    assert next_h.shape == (N, H), f'next_h has shape {next_h.shape}, expected {(N, H)}'
    assert np.allclose(next_h, expected, atol=1e-07), 'next_h has wrong values'
    grads = rnn_step_backward(np.ones((N, H)), cache)
    assert len(grads) == 5, 'return (dx, dprev_h, dWx, dWh, db)'
    for name, g, ref in zip(['dx', 'dprev_h', 'dWx', 'dWh', 'db'], grads, [x, prev_h, Wx, Wh, b]):
        assert np.shape(g) == ref.shape, f'{name} has shape {np.shape(g)}, expected {ref.shape}'

