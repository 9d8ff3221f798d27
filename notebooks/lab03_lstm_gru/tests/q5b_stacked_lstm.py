from otter.test_files import test_case

OK_FORMAT = False

name = "q5b_stacked_lstm"
points = 4

@test_case(points=None, hidden=False)
def test_stacked_lstm(stacked_lstm_forward, stacked_lstm_backward, lstm_forward, np):
    from utils.gradcheck import eval_numerical_gradient_array, rel_error
    rng = np.random.default_rng(2)
    N, T, D, H = (2, 3, 3, 2)
    x, h0 = (rng.normal(size=(N, T, D)), rng.normal(size=(2, N, H)))
    layers = [(0.5 * rng.normal(size=(d, 4 * H)), 0.5 * rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)) for d in (D, H)]
    out = stacked_lstm_forward(x, h0, layers)
    assert out is not None and len(out) == 2, 'return (h, cache)'
    h, cache = out
    assert np.shape(h) == (N, T, H), f'h has shape {np.shape(h)}, expected {(N, T, H)}'
    h1, _ = lstm_forward(x, h0[0], *layers[0])
    h2, _ = lstm_forward(h1, h0[1], *layers[1])
    assert np.allclose(h, h2), "layer 2 must read layer 1's states; h is layer 2's"
    dh = rng.normal(size=h.shape)
    back = stacked_lstm_backward(dh, cache)
    assert back is not None and len(back) == 3, 'return (dx, dh0, grads)'
    dx, dh0, grads = back
    assert np.shape(dx) == x.shape and np.shape(dh0) == h0.shape and (len(grads) == 2)
    f = lambda _: stacked_lstm_forward(x, h0, layers)[0]
    assert rel_error(eval_numerical_gradient_array(f, x, dh), dx) < 1e-07, 'dx is wrong'
    assert rel_error(eval_numerical_gradient_array(f, h0, dh), dh0) < 1e-07, 'dh0 is wrong'
    for l in range(2):
        for k, name in enumerate(['dWx', 'dWh', 'db']):
            num = eval_numerical_gradient_array(f, layers[l][k], dh)
            assert rel_error(num, grads[l][k]) < 1e-07, f'layer {l + 1}: {name} is wrong'

