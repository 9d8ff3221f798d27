from otter.test_files import test_case

OK_FORMAT = False

name = "q4_lm_model"
points = 4

@test_case(points=1, hidden=False)
def test_q4_public(lm_loss, np):
    N, T, V, D, H = (2, 5, 6, 4, 3)
    shapes = {'W_embed': (V, D), 'Wx': (D, H), 'Wh': (H, H), 'b': (H,), 'W_out': (H, V), 'b_out': (V,)}
    params = {k: np.linspace(-0.5 + 0.1 * i, 0.6 - 0.05 * i, num=int(np.prod(s))).reshape(s) for i, (k, s) in enumerate(shapes.items())}
    x = np.arange(N * T).reshape(N, T) * 5 % V
    y = (np.arange(N * T).reshape(N, T) * 5 + 1) % V
    h0 = np.linspace(-0.3, 0.3, num=N * H).reshape(N, H)
    out = lm_loss(params, x, y, h0)
    assert out is not None and len(out) == 3, 'return (loss, grads, h_last)'
    loss, grads, h_last = out
    assert abs(loss - 8.96819710258) < 1e-09, f'loss {loss:.11f}, expected 8.96819710258'
    assert sorted(grads) == sorted(shapes), f'grads has keys {sorted(grads)}, expected {sorted(shapes)}'
    for k, s in shapes.items():
        assert np.shape(grads[k]) == s, f'grads[{k!r}] has shape {np.shape(grads[k])}, expected {s}'
    assert np.shape(h_last) == (N, H), f'h_last has shape {np.shape(h_last)}, expected {(N, H)}'

