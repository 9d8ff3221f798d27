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
    assert lstm is not None and lstm.mode == 'LSTM' and lstm.batch_first, 'return an nn.LSTM with batch_first=True'
    sd = lstm.state_dict()
    assert tuple(sd['weight_ih_l0'].shape) == (4 * H, D)
    ref = torch.nn.LSTM(D, H, batch_first=True).double()
    ref.load_state_dict(sd)
    assert np.allclose(sd['weight_ih_l0'].numpy()[H:2 * H], Wx[:, H:2 * H].T)
    assert np.allclose(sd['weight_ih_l0'].numpy()[2 * H:3 * H], Wx[:, 3 * H:].T)
    total_bias = (sd['bias_ih_l0'] + sd['bias_hh_l0']).numpy()
    assert np.allclose(total_bias[3 * H:], b[2 * H:3 * H])
    x = torch.linspace(-1, 1, 2 * 3 * D, dtype=torch.float64).reshape(2, 3, D)
    assert torch.allclose(lstm(x)[0], ref(x)[0].detach(), atol=1e-12), 'the module must compute what nn.LSTM does'

