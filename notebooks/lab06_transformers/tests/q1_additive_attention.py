from otter.test_files import test_case

OK_FORMAT = False

name = "q1_additive_attention"
points = 3

@test_case(points=None, hidden=False)
def test_additive_shapes(AdditiveAttention, torch):
    torch.manual_seed(0)
    att = AdditiveAttention(5, 6, 7)
    q, k = (torch.randn(3, 5), torch.randn(3, 4, 6))
    mask = torch.tensor([[True] * 4, [True, True, True, False], [True, False, False, False]])
    ctx, w = att(q, k, mask)
    assert ctx.shape == (3, 6) and w.shape == (3, 4)
    assert torch.allclose(w.sum(-1), torch.ones(3))
    assert torch.all(w[~mask] == 0)
    assert torch.allclose(ctx[2], k[2, 0])

