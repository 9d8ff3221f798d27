from otter.test_files import test_case

OK_FORMAT = False

name = "q8_tree_rnn"
points = 4

@test_case(points=None, hidden=False)
def test_tree_rnn(tree_forward, tree_backward, np):
    from utils.gradcheck import eval_numerical_gradient_array, rel_error
    H = 3
    E = np.linspace(-1, 1, 10 * H).reshape(10, H)
    W = np.linspace(-0.5, 0.5, 2 * 2 * H * H).reshape(2, 2 * H, H)
    b = np.linspace(-0.2, 0.2, 2 * H).reshape(2, H)
    out = tree_forward(4, E, W, b)
    assert out is not None and len(out) == 2, 'return (h, cache)'
    assert np.allclose(out[0], E[4]), "a bare digit's vector is its embedding"
    h, _ = tree_forward(('-', 1, 2), E, W, b)
    assert np.shape(h) == (H,), f'h has shape {np.shape(h)}, expected {(H,)}'
    assert np.allclose(h, np.tanh(np.concatenate([E[1], E[2]]) @ W[1] + b[1])), "'-' uses W[1], b[1]; left child first"
    tree = ('+', ('-', 3, 3), ('+', 7, ('-', 3, 0)))
    h, cache = tree_forward(tree, E, W, b)
    dh = np.array([0.3, -1.0, 0.5])
    back = tree_backward(dh, cache)
    assert back is not None and len(back) == 3, 'return (dE, dW, db)'
    for name, g, p in zip(['dE', 'dW', 'db'], back, [E, W, b]):
        assert np.shape(g) == p.shape, f'{name} has shape {np.shape(g)}, expected {p.shape}'
        num = eval_numerical_gradient_array(lambda _: tree_forward(tree, E, W, b)[0], p, dh)
        assert rel_error(num, g) < 1e-07, f'{name} is wrong (relative error {rel_error(num, g):.1e})'

