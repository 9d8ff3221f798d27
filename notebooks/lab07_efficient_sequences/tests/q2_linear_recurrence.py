from otter.test_files import test_case

OK_FORMAT = False

name = "q2_linear_recurrence"
points = 6

@test_case(points=None, hidden=False)
def test_recurrence_by_hand(linear_recurrence_sequential, linear_recurrence_scan, scan_combine, torch):
    a = torch.tensor([0.5, 0.5, 2.0], dtype=torch.float64).reshape(1, 3, 1)
    b = torch.ones(1, 3, 1, dtype=torch.float64)
    expected = torch.tensor([1.0, 1.5, 4.0], dtype=torch.float64).reshape(1, 3, 1)
    for f in (linear_recurrence_sequential, linear_recurrence_scan):
        out = f(a, b)
        assert tuple(out.shape) == (1, 3, 1), f'shape {tuple(out.shape)}'
        assert torch.allclose(out, expected), f'{out.flatten().tolist()}, expected [1.0, 1.5, 4.0]'
        out = f(a, b, torch.full((1, 1), 2.0, dtype=torch.float64))
        assert torch.allclose(out.flatten(), torch.tensor([2.0, 2.0, 5.0], dtype=torch.float64)), 'with h0'
    ca, cb = scan_combine(torch.tensor(2.0), torch.tensor(3.0), torch.tensor(5.0), torch.tensor(7.0))
    assert float(ca) == 10.0 and float(cb) == 22.0, 'scan_combine((2, 3), (5, 7)) should be (10, 5 * 3 + 7)'
    a, b = (torch.rand(2, 100, 3, dtype=torch.float64), torch.randn(2, 100, 3, dtype=torch.float64))
    assert torch.allclose(linear_recurrence_scan(a, b), linear_recurrence_sequential(a, b), rtol=0, atol=1e-12)

