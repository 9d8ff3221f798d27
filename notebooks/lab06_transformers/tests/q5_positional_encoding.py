from otter.test_files import test_case

OK_FORMAT = False

name = "q5_positional_encoding"
points = 2

@test_case(points=None, hidden=False)
def test_pe_basic(positional_encoding, np):
    pe = positional_encoding(10, 8)
    assert pe.shape == (10, 8)
    assert np.allclose(pe[0, 0::2], 0) and np.allclose(pe[0, 1::2], 1)
    assert np.allclose(pe[3, :2], [np.sin(3), np.cos(3)])

