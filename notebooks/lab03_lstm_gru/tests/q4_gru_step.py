from otter.test_files import test_case

OK_FORMAT = False

name = "q4_gru_step"
points = 5

@test_case(points=None, hidden=False)
def test_gru_step(gru_step_forward, gru_step_backward, np):
    from utils.gradcheck import eval_numerical_gradient_array, rel_error
    rng = np.random.default_rng(2)
    N, D, H = (3, 4, 5)
    x, h = (rng.normal(size=(N, D)), rng.normal(size=(N, H)))
    bx, bh = (np.linspace(-1, 1, 3 * H), np.linspace(1, -1, 3 * H))
    next_h, _ = gru_step_forward(x, h, np.zeros((D, 3 * H)), np.zeros((H, 3 * H)), bx, bh)
    s = lambda v: 1 / (1 + np.exp(-v))
    r, z = (s(bx[:H] + bh[:H]), s(bx[H:2 * H] + bh[H:2 * H]))
    n = np.tanh(bx[2 * H:] + r * bh[2 * H:])
    assert np.allclose(next_h, (1 - z) * n + z * h, atol=1e-12)
    args = [x, h, 0.5 * rng.normal(size=(D, 3 * H)), 0.5 * rng.normal(size=(H, 3 * H)), bx.copy(), bh.copy()]
    _, cache = gru_step_forward(*args)
    dnext = rng.normal(size=(N, H))
    grads = gru_step_backward(dnext, cache)
    for k in range(6):
        num = eval_numerical_gradient_array(lambda _: gru_step_forward(*args)[0], args[k], dnext)
        assert rel_error(num, grads[k]) < 1e-07, (k, rel_error(num, grads[k]))

