from otter.test_files import test_case

OK_FORMAT = False

name = "q7_encoder_block"
points = 3

@test_case(points=None, hidden=False)
def test_encoder_block_basic(EncoderBlock, torch):
    torch.manual_seed(0)
    x = torch.randn(2, 5, 8)
    for norm_first in (False, True):
        y = EncoderBlock(8, 2, 16, norm_first=norm_first)(x)
        assert y.shape == (2, 5, 8)
    y = EncoderBlock(8, 2, 16)(x)
    assert torch.allclose(y.mean(-1), torch.zeros(2, 5), atol=1e-05)

