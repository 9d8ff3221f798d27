from otter.test_files import test_case

OK_FORMAT = False

name = "q4_attention"
points = 3

@test_case(points=None, hidden=False)
def test_attention_basic(attention, torch):
    feats = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
    ctx, alpha = attention(torch.tensor([[0.0, 0.0]]), feats)
    assert tuple(ctx.shape) == (1, 2) and tuple(alpha.shape) == (1, 3)
    assert torch.allclose(alpha, torch.full((1, 3), 1 / 3))
    assert torch.allclose(ctx, torch.tensor([[1 / 3, 1 / 3]]))
    ctx, alpha = attention(torch.tensor([[100.0, 0.0]]), feats)
    assert torch.allclose(alpha, torch.tensor([[1.0, 0.0, 0.0]]), atol=1e-06)

