from otter.test_files import test_case

OK_FORMAT = False

name = "q4_sample"
points = 3

@test_case(points=None, hidden=False)
def test_sample_shapes(sample, torch, nn):

    class Ones(nn.Module):

        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.full_like(x, 30.0)
    x, passes = sample(Ones(), 3, 2, 4)
    assert x.shape == (3, 1, 2, 4) and passes == 8
    assert torch.equal(x, torch.ones(3, 1, 2, 4))

