from otter.test_files import test_case

OK_FORMAT = False

name = "q6_nav_rollout"
points = 4

@test_case(points=None, hidden=False)
def test_rollout_teacher_follows_the_expert(nav_rollout, nav_test, torch):
    import numpy as np
    from utils import testkit
    from utils.data.gridnav import step_state
    rng = np.random.default_rng(0)
    idx = np.arange(5)
    lay = nav_test.layout[idx]
    env = testkit.NavEnv(nav_test.grids[lay], nav_test.start[idx], nav_test.near[idx], nav_test.expert[idx], nav_test.instructions[idx])
    policy = testkit.NavTable(rng.normal(size=(5, 14, 4)).tolist(), rng.normal(size=(4, 4)).tolist(), 12)
    loss, actions = nav_rollout(policy, env, 'teacher', 12)
    assert tuple(actions.shape) == (5, 12), 'actions must be (B, max_steps)'
    for i in idx:
        grid, (r, c, h) = (nav_test.grids[lay[i]], nav_test.start[i])
        for t in range(12):
            s = int(nav_test.near[i, 0, r, c])
            a = int(nav_test.expert[i, s, r, c, h])
            assert int(actions[i, t]) == a, "teacher forcing must take the expert's action"
            if a == 3:
                assert (actions[i, t + 1:] == -1).all(), 'after stop, actions must be -1'
                break
            r, c, h = step_state(grid, r, c, h, a)
    assert loss.dim() == 0 and torch.isfinite(loss), 'loss must be a finite 0-dim tensor'
    for bad in ('sample', 'expert'):
        try:
            nav_rollout(policy, env, bad, 5)
        except ValueError:
            pass
        else:
            raise AssertionError(f'forcing={bad!r} must raise ValueError')

