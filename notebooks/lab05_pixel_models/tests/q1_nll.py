from otter.test_files import test_case

OK_FORMAT = False

name = "q1_nll"
points = 3

@test_case(points=None, hidden=False)
def test_nll_basic(bernoulli_nll, bits_per_dim, torch, math):
    logits = torch.zeros(2, 1, 3, 3)
    x = torch.ones(2, 1, 3, 3)
    out = bernoulli_nll(logits, x)
    assert out.shape == (2,)
    assert torch.allclose(out, torch.full((2,), 9 * math.log(2)))
    assert abs(bits_per_dim(9 * math.log(2), 9) - 1.0) < 1e-12

