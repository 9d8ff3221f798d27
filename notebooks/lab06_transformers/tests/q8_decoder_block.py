from otter.test_files import test_case

OK_FORMAT = False

name = "q8_decoder_block"
points = 3

@test_case(points=None, hidden=False)
def test_decoder_block_basic(DecoderBlock, torch):
    torch.manual_seed(0)
    x, mem = (torch.randn(2, 5, 8), torch.randn(2, 7, 8))
    blk = DecoderBlock(8, 2, 16, norm_first=True)
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    y = blk(x, mem, causal)
    assert y.shape == (2, 5, 8)
    assert blk.multihead_attn.weights.shape == (2, 2, 5, 7)
    x2 = x.clone()
    x2[:, 3:] = 0.0
    assert torch.allclose(blk(x2, mem, causal)[:, :3], y[:, :3], atol=1e-06)

