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

@test_case(points=None, hidden=False)
def test_sdpa_torch_fully_masked_row(scaled_dot_product_attention_torch, torch):
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 4, generator=g), torch.randn(2, 5, 4, generator=g), torch.randn(2, 5, 6, generator=g))
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[1] = False
    out, w = scaled_dot_product_attention_torch(q, k, v, mask)
    assert torch.isfinite(out).all() and torch.isfinite(w).all(), 'a fully masked row must not give NaN'
    assert (w[:, 1] == 0).all() and (out[:, 1] == 0).all(), 'a fully masked row gets zero weights and output'
    assert torch.allclose(out, torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=1e-05)

