from otter.test_files import test_case

OK_FORMAT = False

name = "q5_to_torch"
points = 3

@test_case(points=None, hidden=False)
def test_lstm_to_torch(lstm_to_torch, np, torch):
    D, H = (2, 3)
    Wx = np.linspace(-1, 1, D * 4 * H).reshape(D, 4 * H)
    Wh = np.linspace(1, -1, H * 4 * H).reshape(H, 4 * H)
    b = np.linspace(-0.5, 0.5, 4 * H)
    lstm = lstm_to_torch(Wx, Wh, b)
    assert isinstance(lstm, torch.nn.LSTM) and lstm.batch_first
    assert tuple(lstm.weight_ih_l0.shape) == (4 * H, D)
    assert np.allclose(lstm.weight_ih_l0.detach().numpy()[H:2 * H], Wx[:, H:2 * H].T)
    assert np.allclose(lstm.weight_ih_l0.detach().numpy()[2 * H:3 * H], Wx[:, 3 * H:].T)
    total_bias = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
    assert np.allclose(total_bias[3 * H:], b[2 * H:3 * H])

