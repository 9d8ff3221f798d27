from otter.test_files import test_case

OK_FORMAT = False

name = "q5_dialog_encoder"
points = 3

@test_case(points=None, hidden=False)
def test_late_fusion_shapes_and_padding(LateFusionEncoder, torch):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        m = LateFusionEncoder(12, 5, 4, emb=6, hidden=7)
    img = torch.linspace(-1, 1, 15).reshape(3, 5)
    q = torch.tensor([[3, 4, 5, 0], [6, 7, 0, 0], [8, 9, 10, 11]])
    q_len = torch.tensor([3, 2, 4])
    h = torch.tensor([[2, 3, 0], [4, 0, 0], [5, 6, 7]])
    h_len = torch.tensor([2, 0, 3])
    with torch.no_grad():
        out = m(img, q, q_len, h, h_len)
        assert tuple(out.shape) == (3, 4), 'logits must be (N, n_answers)'
        q2, h2 = (q.clone(), h.clone())
        q2[0, 3], q2[1, 2:] = (9, 1)
        h2[0, 2], h2[1] = (9, torch.tensor([1, 2, 3]))
        assert torch.allclose(out, m(img, q2, q_len, h2, h_len), atol=1e-06), "tokens after a sequence's length (and the whole history when h_len is 0) must not matter"
        h3 = h.clone()
        h3[2, 0] = 1
        assert not torch.allclose(out[2], m(img, q, q_len, h3, h_len)[2]), 'the history must change the answer'

