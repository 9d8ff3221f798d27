from otter.test_files import test_case

OK_FORMAT = False

name = "q1_loss"
points = 3

@test_case(points=None, hidden=False)
def test_loss_uniform(temporal_softmax_loss, torch, np):
    scores = torch.zeros(2, 3, 7)
    targets = torch.tensor([[1, 2, 0], [3, 0, 0]])
    mask = targets != 0
    loss = temporal_softmax_loss(scores, targets, mask)
    assert loss.dim() == 0, 'return a scalar tensor'
    assert abs(loss.item() - np.log(7)) < 1e-06

@test_case(points=None, hidden=False)
def test_loss_mask_ignores_padding(temporal_softmax_loss, torch):
    g = torch.Generator().manual_seed(0)
    scores = torch.randn(2, 4, 5, generator=g, dtype=torch.float64)
    targets = torch.tensor([[1, 2, 3, 0], [4, 0, 0, 0]])
    mask = targets != 0
    a = temporal_softmax_loss(scores, targets, mask)
    scores2 = scores.clone()
    scores2[~mask] = 100.0
    b = temporal_softmax_loss(scores2, targets, mask)
    assert abs(a.item() - b.item()) < 1e-10

