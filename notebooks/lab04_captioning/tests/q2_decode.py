from otter.test_files import test_case

OK_FORMAT = False

name = "q2_decode"
points = 3

@test_case(points=None, hidden=False)
def test_greedy_markov(greedy_decode, torch):
    from utils import testkit
    eps = 1e-09
    table = [[eps] * 5, [eps, eps, 0.1, 0.6, 0.3], [eps, eps, 1.0, eps, eps], [eps, eps, 0.3, 0.2, 0.5], [eps, eps, 0.8, 0.1, 0.1]]
    out = greedy_decode(testkit.MarkovDecoder([table]), torch.zeros(3), max_len=6)
    assert out.dtype == torch.long and tuple(out.shape) == (3, 6)
    assert out.tolist() == [[3, 4, 2, 0, 0, 0]] * 3

@test_case(points=None, hidden=False)
def test_sample_cold_is_greedy(sample_decode, torch):
    from utils import testkit
    eps = 1e-09
    table = [[eps] * 5, [eps, eps, 0.1, 0.6, 0.3], [eps, eps, 1.0, eps, eps], [eps, eps, 0.3, 0.2, 0.5], [eps, eps, 0.8, 0.1, 0.1]]
    g = torch.Generator().manual_seed(0)
    cold = sample_decode(testkit.MarkovDecoder([table]), torch.zeros(50), 6, temperature=0.001, generator=g)
    assert cold.tolist() == [[3, 4, 2, 0, 0, 0]] * 50

