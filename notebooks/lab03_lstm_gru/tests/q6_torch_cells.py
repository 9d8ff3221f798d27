from otter.test_files import test_case

OK_FORMAT = False

name = "q6_torch_cells"
points = 3

@test_case(points=None, hidden=False)
def test_lstm_cell_vs_torch(LSTMCell, np, torch):
    torch.manual_seed(0)
    D, H, N = (3, 4, 5)
    cell = LSTMCell(D, H)
    ref = torch.nn.LSTMCell(D, H)
    perm = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]
    with torch.no_grad():
        ref.weight_ih.copy_(cell.W_x[:, perm].T)
        ref.weight_hh.copy_(cell.W_h[:, perm].T)
        ref.bias_ih.copy_(cell.b[perm])
        ref.bias_hh.zero_()
    x, h, c = (torch.randn(N, D), torch.randn(N, H), torch.randn(N, H))
    out = cell(x, (h, c))
    assert out is not None, 'forward returned None'
    h2, (h3, c2) = out
    rh, rc = ref(x, (h, c))
    assert torch.allclose(h2, rh, atol=1e-06) and torch.allclose(c2, rc, atol=1e-06) and torch.equal(h2, h3)

