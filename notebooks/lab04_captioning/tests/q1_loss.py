from otter.test_files import test_case

OK_FORMAT = False

name = "q1_loss"
points = 3

@test_case(points=None, hidden=False)
def test_loss_uniform(caption_loss, torch, np):
    scores = torch.zeros(2, 3, 7)
    targets = torch.tensor([[1, 2, 0], [3, 0, 0]])
    mask = targets != 0
    loss = caption_loss(scores, targets, mask)
    assert loss.dim() == 0, 'return a scalar tensor'
    assert abs(loss.item() - np.log(7)) < 1e-06

@test_case(points=None, hidden=False)
def test_loss_mask_ignores_padding(caption_loss, torch):
    g = torch.Generator().manual_seed(0)
    scores = torch.randn(2, 4, 5, generator=g, dtype=torch.float64)
    targets = torch.tensor([[1, 2, 3, 0], [4, 0, 0, 0]])
    mask = targets != 0
    a = caption_loss(scores, targets, mask)
    scores2 = scores.clone()
    scores2[~mask] = 100.0
    b = caption_loss(scores2, targets, mask)
    assert abs(a.item() - b.item()) < 1e-10

@test_case(points=None, hidden=False)
def test_loss_empty_mask(caption_loss, torch):
    from utils import testkit
    scores = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    targets = torch.ones(2, 3, dtype=torch.long)
    mask = torch.zeros(2, 3, dtype=torch.bool)
    loss, (grad,), _ = testkit.vjp(caption_loss, (scores, targets, mask), wrt=(0,))
    assert loss.dim() == 0 and loss.item() == 0.0, 'an all-False mask must give a zero loss'
    assert grad is None or (torch.isfinite(grad).all() and (grad == 0).all())

