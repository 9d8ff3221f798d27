from otter.test_files import test_case

OK_FORMAT = False

name = "q2_fvsbn"
points = 3

@test_case(points=None, hidden=False)
def test_fvsbn_shapes_and_mask(FVSBN, torch):
    m = FVSBN(3, 4)
    assert m.mask.shape == (12, 12)
    assert torch.equal(m.mask, torch.tril(torch.ones(12, 12), diagonal=-1))
    assert m(torch.zeros(5, 1, 3, 4)).shape == (5, 1, 3, 4)

