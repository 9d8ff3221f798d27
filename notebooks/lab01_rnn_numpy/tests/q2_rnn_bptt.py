from otter.test_files import test_case

OK_FORMAT = False

name = "q2_rnn_bptt"
points = 6

@test_case(points=2, hidden=False)
def test_q2_public(rnn_forward, rnn_backward, np):
    N, T, D, H = (2, 3, 4, 5)
    x = np.linspace(-0.1, 0.3, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.1, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.2, 0.4, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.4, 0.1, num=H * H).reshape(H, H)
    b = np.linspace(-0.7, 0.1, num=H)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    expected = np.asarray([[[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251], [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316], [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]], [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671], [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768], [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]])
    assert np.shape(h) == (N, T, H), f'h has shape {np.shape(h)}, expected {(N, T, H)}'
    assert np.allclose(h, expected, atol=1e-07), 'h has wrong values'
    grads = rnn_backward(np.ones((N, T, H)), cache)
    assert len(grads) == 5, 'return (dx, dh0, dWx, dWh, db)'
    for name, g, ref in zip(['dx', 'dh0', 'dWx', 'dWh', 'db'], grads, [x, h0, Wx, Wh, b]):
        assert np.shape(g) == ref.shape, f'{name} has shape {np.shape(g)}, expected {ref.shape}'

