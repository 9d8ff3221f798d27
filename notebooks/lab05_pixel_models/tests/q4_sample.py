from otter.test_files import test_case

OK_FORMAT = False

name = "q4_sample"
points = 3

@test_case(points=None, hidden=False)
def test_sample_shapes(sample, torch):
    from utils import testkit
    x, passes = sample(testkit.Constant(30.0), 3, 2, 4)
    assert x.shape == (3, 1, 2, 4) and passes == 8
    assert torch.equal(x, torch.ones(3, 1, 2, 4))

