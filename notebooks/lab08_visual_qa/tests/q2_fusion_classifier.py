from otter.test_files import test_case

OK_FORMAT = False

name = "q2_fusion_classifier"
points = 3

@test_case(points=None, hidden=False)
def test_fusion_basic(FusionClassifier, torch):
    head = FusionClassifier(3, 4, 5, 6)
    g = torch.Generator().manual_seed(0)
    grid, q = (torch.randn(2, 7, 3, generator=g), torch.randn(2, 4, generator=g))
    out = head(grid, q)
    assert tuple(out.shape) == (2, 6), 'logits must be (N, A)'
    assert torch.allclose(head(grid[:, torch.randperm(7, generator=g)], q), out, atol=1e-06), 'the image feature must be the mean over the cells'
    state = head.state_dict()
    state['q_proj.weight'] = torch.zeros(5, 4)
    state['q_proj.bias'] = torch.zeros(5)
    head.load_state_dict(state)
    out = head(grid, q)
    assert torch.allclose(out[0], out[1], atol=1e-06), 'the fusion must be an elementwise product'

