from otter.test_files import test_case

OK_FORMAT = False

name = "q3_temporal_layers"
points = 6

@test_case(points=2, hidden=False)
def test_q3_public(word_embedding_forward, word_embedding_backward, temporal_affine_forward, temporal_affine_backward, temporal_softmax_loss, np):
    W = np.linspace(0, 1, num=5 * 3).reshape(5, 3)
    x = np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]])
    out, cache = word_embedding_forward(x, W)
    assert np.shape(out) == (2, 4, 3), f'embedding output has shape {np.shape(out)}, expected (2, 4, 3)'
    assert np.allclose(out[1, 0], [0.42857143, 0.5, 0.57142857]), 'out[1, 0] must be row 2 of W'
    x_distinct = np.asarray([[0, 3], [1, 2]])
    dout = np.arange(12.0).reshape(2, 2, 3)
    _, cache = word_embedding_forward(x_distinct, W)
    dW = word_embedding_backward(dout, cache)
    assert np.shape(dW) == W.shape, f'dW has shape {np.shape(dW)}, expected {W.shape}'
    assert np.allclose(dW[[0, 3, 1, 2]], dout.reshape(4, 3)) and np.allclose(dW[4], 0)
    xa = np.linspace(-0.2, 0.3, num=2 * 3 * 4).reshape(2, 3, 4)
    w = np.linspace(-0.5, 0.5, num=4 * 5).reshape(4, 5)
    b = np.linspace(0.0, 0.4, num=5)
    out, cache = temporal_affine_forward(xa, w, b)
    assert np.shape(out) == (2, 3, 5)
    assert np.allclose(out, np.einsum('ntd,dm->ntm', xa, w) + b), 'temporal affine: wrong values'
    dx, dw, db = temporal_affine_backward(np.ones((2, 3, 5)), cache)
    assert (np.shape(dx), np.shape(dw), np.shape(db)) == ((2, 3, 4), (4, 5), (5,))
    rng = np.random.default_rng(0)
    for N, T, V, p in [(100, 1, 10, 1.0), (100, 10, 10, 1.0), (2000, 10, 10, 0.1)]:
        scores = 0.001 * rng.standard_normal((N, T, V))
        y = rng.integers(V, size=(N, T))
        mask = rng.random((N, T)) <= p
        loss, dscores = temporal_softmax_loss(scores, y, mask)
        assert abs(loss - T * mask.mean() * np.log(V)) < 0.01, f'loss {loss:.3f} for N, T, V, p = {(N, T, V, p)}'
        assert np.shape(dscores) == (N, T, V)

