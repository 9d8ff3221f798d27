from otter.test_files import test_case

OK_FORMAT = False

name = "q2_decode"
points = 3

@test_case(points=None, hidden=False)
def test_greedy_markov(greedy_decode, torch):
    import math

    class Markov:

        def __init__(self, table):
            self.logp = torch.log(torch.tensor(table, dtype=torch.float64))

        def init_state(self, features):
            return (torch.zeros(features.shape[0], 1),)

        def step(self, words, state, features):
            return (self.logp[words], state, None)
    eps = 1e-09
    table = [[eps] * 5, [eps, eps, 0.1, 0.6, 0.3], [eps, eps, 1.0, eps, eps], [eps, eps, 0.3, 0.2, 0.5], [eps, eps, 0.8, 0.1, 0.1]]
    out = greedy_decode(Markov(table), torch.zeros(3, 4), max_len=6)
    assert out.dtype == torch.long and tuple(out.shape) == (3, 6)
    assert out.tolist() == [[3, 4, 2, 0, 0, 0]] * 3

@test_case(points=None, hidden=False)
def test_sample_cold_is_greedy(sample_decode, torch):

    class Markov:

        def __init__(self, table):
            self.logp = torch.log(torch.tensor(table, dtype=torch.float64))

        def init_state(self, features):
            return (torch.zeros(features.shape[0], 1),)

        def step(self, words, state, features):
            return (self.logp[words], state, None)
    eps = 1e-09
    table = [[eps] * 5, [eps, eps, 0.1, 0.6, 0.3], [eps, eps, 1.0, eps, eps], [eps, eps, 0.3, 0.2, 0.5], [eps, eps, 0.8, 0.1, 0.1]]
    g = torch.Generator().manual_seed(0)
    cold = sample_decode(Markov(table), torch.zeros(50, 2), 6, temperature=0.001, generator=g)
    assert cold.tolist() == [[3, 4, 2, 0, 0, 0]] * 50

