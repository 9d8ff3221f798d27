from otter.test_files import test_case

OK_FORMAT = False

name = "q6_layernorm"
points = 2

@test_case(points=None, hidden=False)
def test_layernorm_basic(LayerNorm, torch):
    x = torch.linspace(-3, 5, 24).reshape(2, 3, 4)
    y = LayerNorm(4)(x)
    assert y.shape == x.shape
    assert torch.allclose(y.mean(-1), torch.zeros(2, 3), atol=1e-05)
    assert torch.allclose(y.var(-1, unbiased=False), torch.ones(2, 3), atol=0.001)

