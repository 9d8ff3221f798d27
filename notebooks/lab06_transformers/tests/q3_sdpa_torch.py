from otter.test_files import test_case

OK_FORMAT = False

name = "q3_sdpa_torch"
points = 2

@test_case(points=None, hidden=False)
def test_sdpa_torch_basic(scaled_dot_product_attention_torch, torch):
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6))
    out, w = scaled_dot_product_attention_torch(q, k, v)
    assert out.shape == (2, 3, 6) and w.shape == (2, 3, 5)
    assert torch.allclose(w.sum(-1), torch.ones(2, 3))
    assert torch.allclose(out, torch.nn.functional.scaled_dot_product_attention(q, k, v), atol=1e-05)

