from otter.test_files import test_case

OK_FORMAT = False

name = "q9_log_cpb"
points = 2

@test_case(points=None, hidden=False)
def test_log_cpb_basic(LogCPB, torch):
    torch.manual_seed(0)
    cpb = LogCPB(3, 16).double()
    B = cpb(4, 6)
    assert B.shape == (3, 4, 6)
    assert torch.allclose(B[:, 1:, 1:], B[:, :-1, :-1])
    d = torch.tensor([[-5.0]], dtype=torch.float64)
    assert torch.allclose(B[:, 0, 5], cpb.mlp(torch.sign(d) * torch.log1p(d.abs()))[0])
    assert not torch.allclose(cpb(6, 6)[:, 0, 5], cpb(6, 6)[:, 5, 0])

