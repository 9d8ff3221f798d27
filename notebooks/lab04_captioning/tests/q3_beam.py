from otter.test_files import test_case

OK_FORMAT = False

name = "q3_beam"
points = 4

@test_case(points=None, hidden=False)
def test_beam_markov(beam_search, torch):
    from utils import testkit
    eps = 1e-09
    table = [[eps] * 5, [eps, eps, eps, 0.6, 0.4], [eps, eps, 1.0, eps, eps], [eps, eps, 0.4, 0.3, 0.3], [eps, eps, 0.9, 0.05, 0.05]]
    m = testkit.MarkovDecoder([table])
    out1 = beam_search(m, torch.zeros(2), beam_size=1, max_len=5)
    assert out1.dtype == torch.long and tuple(out1.shape) == (2, 5)
    assert out1.tolist() == [[3, 2, 0, 0, 0]] * 2, 'beam_size=1 must be greedy'
    assert beam_search(m, torch.zeros(2), beam_size=2, max_len=5).tolist() == [[4, 2, 0, 0, 0]] * 2

@test_case(points=None, hidden=False)
def test_beam_refills(beam_search, torch):
    from utils import testkit
    eps = 1e-09
    table = [[eps] * 6, [eps, eps, 0.25, 0.65, 0.1, eps], [eps, eps, 1.0, eps, eps, eps], [eps, eps, 0.05, eps, 0.5, 0.45], [eps, eps, 0.1, eps, 0.5, 0.4], [eps, eps, 1.0, eps, eps, eps]]
    out = beam_search(testkit.MarkovDecoder([table]), torch.zeros(1), beam_size=2, max_len=5)
    assert out.tolist() == [[3, 5, 2, 0, 0]], 'the beam refills to beam_size at every step'

@test_case(points=None, hidden=False)
def test_beam1_is_greedy_on_model(beam_search, greedy_decode, model, val_imgs, torch):
    feats = model.encode(val_imgs[:6])
    assert torch.equal(beam_search(model, feats, 1, 16), greedy_decode(model, feats, 16))

