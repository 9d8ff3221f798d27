from otter.test_files import test_case

OK_FORMAT = False

name = "q1_question_encoder"
points = 3

@test_case(points=None, hidden=False)
def test_encoder_padding(QuestionEncoder, torch):
    enc = QuestionEncoder(10, 4, 5)
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(2, 10, (3, 6), generator=g)
    mask = torch.tensor([[1] * 6, [1] * 3 + [0] * 3, [1] + [0] * 5]).bool()
    out = enc(ids * mask, mask)
    assert tuple(out.shape) == (3, 5), 'the output must be (N, H)'
    noisy = torch.cat([torch.where(mask, ids, torch.randint(1, 10, (3, 6), generator=g)), torch.randint(1, 10, (3, 2), generator=g)], dim=1)
    longer = torch.cat([mask, torch.zeros(3, 2, dtype=torch.bool)], dim=1)
    assert torch.allclose(enc(noisy, longer), out, atol=1e-06), 'the padding changed the encoding'
    for i, n in enumerate([6, 3, 1]):
        alone = enc(ids[i:i + 1, :n], torch.ones(1, n, dtype=torch.bool))
        assert torch.allclose(alone[0], out[i], atol=1e-06), 'padded and unpadded questions differ'

