from otter.test_files import test_case

OK_FORMAT = False

name = "q3_question_attention"
points = 3

@test_case(points=None, hidden=False)
def test_attention_weights(QuestionAttention, torch):
    att = QuestionAttention(3, 2, 4)
    g = torch.Generator().manual_seed(0)
    grid, q = (torch.randn(2, 5, 3, generator=g), torch.randn(2, 2, generator=g))
    ctx, alpha = att(grid, q)
    assert tuple(ctx.shape) == (2, 3) and tuple(alpha.shape) == (2, 5), 'context (N, D), alpha (N, L)'
    assert torch.allclose(alpha.sum(1), torch.ones(2), atol=1e-06) and (alpha >= 0).all(), 'weights must sum to 1'
    assert torch.allclose(ctx, (alpha[..., None] * grid).sum(1), atol=1e-06), 'context = sum of alpha * features'
    mask = torch.tensor([[True, False, True, False, False], [False, False, False, False, True]])
    ctx, alpha = att(grid, q, mask)
    assert (alpha[~mask] == 0).all(), 'masked cells must get weight 0'
    assert torch.allclose(alpha.sum(1), torch.ones(2), atol=1e-06), 'weights must sum to 1 over the unmasked cells'
    assert torch.allclose(ctx[1], grid[1, 4], atol=1e-06), 'one unmasked cell: the context is its feature'

