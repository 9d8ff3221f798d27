from otter.test_files import test_case

OK_FORMAT = False

name = "q4_task_targets"
points = 3

@test_case(points=None, hidden=False)
def test_targets_public(adding_target, copy_memory_target, adding_problem, copy_memory, np):
    x, y = adding_problem(16, 20, seed=3)
    got = adding_target(x)
    assert got is not None and np.shape(got) == (16,)
    assert np.allclose(got, y, atol=1e-06)
    x, y = copy_memory(5, 12, seed=3)
    got = copy_memory_target(x, 10)
    assert got is not None and np.array_equal(got, y)

