from otter.test_files import test_case

OK_FORMAT = False

name = "q4_multiple_choice"
points = 3

@test_case(points=None, hidden=False)
def test_mc_basic(MultipleChoiceMLP, torch):
    mc = MultipleChoiceMLP(3, 2, 4, 8)
    g = torch.Generator().manual_seed(0)
    img, q, cands = (torch.randn(2, 3, generator=g), torch.randn(2, 2, generator=g), torch.randn(2, 4, 4, generator=g))
    s = mc(img, q, cands)
    assert tuple(s.shape) == (2, 4), 'scores must be (N, C)'
    perm = torch.tensor([2, 0, 3, 1])
    assert torch.allclose(mc(img, q, cands[:, perm]), s[:, perm], atol=1e-06), 'permuting candidates must permute scores'
    other = cands.clone()
    other[:, 0] += 1.0
    assert torch.allclose(mc(img, q, other)[:, 1:], s[:, 1:], atol=1e-06), 'each candidate must be scored on its own'
    assert not torch.allclose(mc(img + 1.0, q, cands), s), 'the score must depend on the image'

