from otter.test_files import test_case

OK_FORMAT = False

name = "q4_multihead_attention"
points = 4

@test_case(points=None, hidden=False)
def test_mha_shapes(MultiHeadAttention, torch):
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2)
    x, mem = (torch.randn(3, 4, 8), torch.randn(3, 6, 8))
    assert mha(x, x).shape == (3, 4, 8) and mha(x, mem).shape == (3, 4, 8)
    assert mha.weights.shape == (3, 2, 4, 6)
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    y = mha(x, x, causal)
    assert torch.all(mha.weights[..., ~causal] == 0)
    x2 = x.clone()
    x2[:, -1] += 1.0
    assert torch.allclose(mha(x2, x2, causal)[:, :-1], y[:, :-1], atol=1e-06)

