from otter.test_files import test_case

OK_FORMAT = False

name = "q10_swinv2_block"
points = 3

@test_case(points=None, hidden=False)
def test_swinv2_block_basic(SwinV2Block, torch):
    torch.manual_seed(0)
    blk = SwinV2Block(8, 2, 16)
    x = torch.randn(2, 5, 8)
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    y = blk(x, causal)
    assert y.shape == (2, 5, 8)
    assert blk(x).shape == (2, 5, 8)
    x2 = x.clone()
    x2[:, -1] += 1.0
    assert torch.allclose(blk(x2, causal)[:, :-1], y[:, :-1], atol=1e-06)
    sd = {n: torch.zeros_like(p) if n.startswith('norm') else p for n, p in blk.state_dict().items()}
    blk.load_state_dict(sd)
    assert torch.allclose(blk(x, causal), x)

