from otter.test_files import test_case

OK_FORMAT = False

name = "q1_bpe"
points = 6

@test_case(points=None, hidden=False)
def test_bpe_worked_example(learn_bpe, bpe_encode, bpe_decode):
    text = 'low low low lower lowest newest newest widest'
    merges = [tuple(p) for p in learn_bpe(text, 3)]
    assert merges == [('l', 'o'), ('lo', 'w'), (' ', 'low')], f"merges {merges}, expected the worked example's"
    toks = list(bpe_encode(' lowest low', merges))
    assert toks == [' low', 'e', 's', 't', ' low'], f'encoding {toks}'
    assert bpe_decode(toks) == ' lowest low'
    assert len(learn_bpe('ab', 5)) == 1, 'stop when no pair is left'

