from otter.test_files import test_case

OK_FORMAT = False

name = "q3_masked_conv"
points = 5

@test_case(points=None, hidden=False)
def test_masks_3x3(MaskedConv2d, torch):
    a = MaskedConv2d(1, 2, 3, 'A').mask
    b = MaskedConv2d(1, 2, 3, 'B').mask
    assert a.shape == (2, 1, 3, 3) and b.shape == (2, 1, 3, 3)
    assert torch.equal(a[0, 0], torch.tensor([[1.0, 1, 1], [1, 0, 0], [0, 0, 0]]))
    assert torch.equal(b[1, 0], torch.tensor([[1.0, 1, 1], [1, 1, 0], [0, 0, 0]]))
    assert MaskedConv2d(1, 2, 3, 'A')(torch.zeros(4, 1, 5, 6)).shape == (4, 2, 5, 6)

