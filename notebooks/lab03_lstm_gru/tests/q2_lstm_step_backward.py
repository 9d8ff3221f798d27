from otter.test_files import test_case

OK_FORMAT = False

name = "q2_lstm_step_backward"
points = 4

@test_case(points=None, hidden=False)
def test_lstm_step_backward_numeric(lstm_step_forward, lstm_step_backward, np):
    from utils.gradcheck import eval_numerical_gradient_array, rel_error
    rng = np.random.default_rng(0)
    N, D, H = (3, 4, 5)
    args = [0.5 * rng.normal(size=s) for s in [(N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]]
    dh, dc = (rng.normal(size=(N, H)), rng.normal(size=(N, H)))
    _, _, cache = lstm_step_forward(*args)
    grads = lstm_step_backward(dh, dc, cache)
    for k, grad in enumerate(grads):

        def f(_):
            nh, nc, _ = lstm_step_forward(*args)
            return np.concatenate([nh, nc], axis=1)
        num = eval_numerical_gradient_array(f, args[k], np.concatenate([dh, dc], axis=1))
        assert rel_error(num, grad) < 1e-07, (k, rel_error(num, grad))

