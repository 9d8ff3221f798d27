from otter.test_files import test_case

OK_FORMAT = False

name = "q7_hopfield"
points = 4

@test_case(points=2, hidden=False)
def test_hopfield_public(hebbian_weights, hopfield_energy, hopfield_recall, np):
    xi = np.array([[1, 1, 1, 1, -1, -1, -1, -1], [1, -1, 1, -1, 1, -1, 1, -1]], dtype=float)
    W = hebbian_weights(xi)
    assert W is not None and np.shape(W) == (8, 8), 'W must have shape (N, N)'
    assert np.allclose(W, W.T) and np.allclose(np.diag(W), 0), 'W must be symmetric with a zero diagonal'
    assert np.isclose(W[0, 2], 2 / 8) and np.isclose(W[0, 1], 0.0), 'W = patterns^T patterns / N'
    assert np.isclose(hopfield_energy(W, xi[0]), -3.0), 'the energy of pattern 0 here is -(N - P) / 2 = -3'
    start = xi[0].copy()
    start[0] = -1
    out = hopfield_recall(W, start, seed=0)
    assert out is not None and len(out) == 2, 'return (s_final, energies)'
    s, energies = out
    assert start[0] == -1, 'do not modify the input state'
    assert np.array_equal(s, xi[0]), 'one flipped bit of a stored pattern must be corrected'
    assert len(energies) == 1 + 8 * 2, 'energies: the start, then one entry per visit (two sweeps here)'
    assert np.all(np.diff(energies) <= 1e-12), 'the energy must never increase'

