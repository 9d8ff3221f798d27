"""utils.data.gridnav: Lab 8's navigation grid worlds, instructions, expert and batched environment."""

from collections import deque

import numpy as np
import pytest

from utils.data.gridnav import (
    DC,
    DR,
    FLOOR,
    FORWARD,
    LANDMARKS,
    LEFT,
    RIGHT,
    STOP,
    VIEW_DEPTH,
    VIEW_WIDTH,
    WALL,
    WORDS,
    egocentric_view,
    make_nav_episodes,
    step_state,
)


@pytest.fixture(scope="module")
def eps():
    return make_nav_episodes(12, episodes_per_layout=3, seed=5)


def _bfs(grid, na, nb, r, c, h):
    """Independent shortest path: BFS over (stage, row, col, heading) written out from scratch."""
    n = grid.shape[0]
    start = (int(na[r, c]), r, c, h)
    dist = {start: 0}
    q = deque([start])
    while q:
        s, r, c, h = q.popleft()
        if s and nb[r, c]:
            return dist[(s, r, c, h)]
        moves = [(r, c, (h + 3) % 4), (r, c, (h + 1) % 4)]
        r2, c2 = r + [-1, 0, 1, 0][h], c + [0, 1, 0, -1][h]
        moves.append((r2, c2, h) if 0 <= r2 < n and 0 <= c2 < n and grid[r2, c2] == 0 else (r, c, h))
        for rr, cc, hh in moves:
            st = (s or int(na[rr, cc]), rr, cc, hh)
            if st not in dist:
                dist[st] = dist[(s, r, c, h)] + 1
                q.append(st)
    return -1


def test_deterministic_and_seeded(eps):
    again = make_nav_episodes(12, episodes_per_layout=3, seed=5)
    assert np.array_equal(again.grids, eps.grids) and again.text == eps.text
    assert np.array_equal(again.start, eps.start)
    other = make_nav_episodes(12, episodes_per_layout=3, seed=6)
    assert not np.array_equal(other.grids, eps.grids)
    assert len(eps) == 36 and eps.instructions.shape[0] == 36


def test_expert_lengths_match_an_independent_bfs(eps):
    for i in range(len(eps)):
        grid = eps.grids[eps.layout[i]]
        na, nb = eps.near[i]
        r, c, h = eps.start[i]
        assert eps.shortest(i) == _bfs(grid, na, nb, r, c, h) >= 4


def test_expert_from_any_state_reaches_the_goal_in_dist_steps(eps):
    rng = np.random.default_rng(0)
    for i in range(0, len(eps), 4):
        grid = eps.grids[eps.layout[i]]
        na, nb = eps.near[i]
        free = np.argwhere(grid == FLOOR)
        for _ in range(10):
            r, c = free[rng.integers(len(free))]
            h, s = int(rng.integers(4)), int(na[r, c]) | int(rng.integers(2))
            d = eps.dist[i, s, r, c, h]
            stage_a = na if s == 0 else np.ones_like(na)   # stage 1: the waypoint counts as reached
            assert d == _bfs(grid, stage_a, nb, r, c, h)
            steps = 0
            while eps.expert[i, s, r, c, h] != STOP:
                r, c, h = step_state(grid, r, c, h, int(eps.expert[i, s, r, c, h]))
                s |= int(na[r, c])
                steps += 1
                assert steps <= d
            assert steps == d and s == 1 and nb[r, c]


def test_instructions_name_unique_existing_landmarks(eps):
    for i in range(len(eps)):
        grid = eps.grids[eps.layout[i]]
        a, b = eps.targets[i]
        assert a != b
        for t in (a, b):
            assert (grid == 2 + t).sum() == 1, "each named landmark exists exactly once"
            assert " ".join(LANDMARKS[t]) in eps.text[i]
        words = [WORDS[k] for k in eps.instructions[i] if k]
        assert " ".join(words) == eps.text[i]
        assert eps.text[i].index(" ".join(LANDMARKS[a])) < eps.text[i].rindex(" ".join(LANDMARKS[b]))
        marks = [int(x) - 2 for x in np.unique(grid) if x >= 2]
        assert len(marks) == len(set(marks)) == 4


def test_steps_and_view():
    grid = np.zeros((5, 5), dtype=np.int64)
    grid[1, 2] = WALL
    grid[2, 3] = 2   # red circle east of (2, 2)
    assert step_state(grid, 2, 2, 0, FORWARD) == (2, 2, 0)      # wall ahead: stays
    assert step_state(grid, 2, 2, 2, FORWARD) == (3, 2, 2)
    assert step_state(grid, 2, 2, 0, LEFT) == (2, 2, 3) and step_state(grid, 2, 2, 3, RIGHT) == (2, 2, 0)
    v = egocentric_view(grid, 2, 2, 0)   # facing north
    assert v.shape == (VIEW_DEPTH, VIEW_WIDTH)
    assert v[-2, 2] == WALL and v[-1, 3] == 2 and v[-1, 2] == FLOOR
    v = egocentric_view(grid, 2, 2, 1)   # facing east: the circle is straight ahead, the wall on the left
    assert v[-2, 2] == 2 and v[-1, 1] == WALL
    assert v[0, 2] == WALL   # three cells east of (2, 2) is outside the 5x5 grid: wall
    assert DR.shape == DC.shape == (4,)


def test_bad_arguments():
    with pytest.raises(ValueError):
        make_nav_episodes(0)
    with pytest.raises(ValueError):
        make_nav_episodes(2, n=3)


def test_all_views_match_egocentric_view_and_panorama_shape(eps):
    from utils.data.gridnav import all_views
    v = all_views(eps.grids[:3])
    n = eps.grids.shape[1]
    assert v.shape == (3, n, n, 4, VIEW_DEPTH * VIEW_WIDTH)
    for k in range(3):
        for r in range(n):
            for c in range(n):
                for h in range(4):
                    assert np.array_equal(v[k, r, c, h], egocentric_view(eps.grids[k], r, c, h).ravel())
    pano = all_views(eps.grids[:1], n - 1, n - 1, n - 1)
    assert pano.shape == (1, n, n, 4, (2 * n - 1) ** 2)
    centre = (n - 1) * (2 * n - 1) + n - 1          # the agent's own cell, always floor
    assert (pano[0, eps.grids[0] == FLOOR][:, :, centre] == FLOOR).all()


def test_one_stage_episodes_name_only_the_goal():
    e = make_nav_episodes(10, episodes_per_layout=2, n=6, seed=3, landmarks=3, walls=3, stages=1, min_length=3)
    assert (e.targets[:, 0] == e.targets[:, 1]).all() and np.array_equal(e.near[:, 0], e.near[:, 1])
    for i in range(len(e)):
        grid = e.grids[e.layout[i]]
        assert len([x for x in np.unique(grid) if x >= 2]) == 3 and (grid == WALL).sum() == 3
        assert " ".join(LANDMARKS[e.targets[i, 1]]) in e.text[i]
        na, nb = e.near[i]
        r, c, h = e.start[i]
        assert e.shortest(i) == _bfs(grid, na, nb, r, c, h) >= 3
    with pytest.raises(ValueError):
        make_nav_episodes(2, stages=3)


def test_nav_batch_steps_like_step_state_and_rebuilds(eps):
    import torch

    from utils import testkit
    from utils.data.gridnav import NavBatch
    idx = np.arange(8)
    env = NavBatch.from_episodes(eps, idx)
    rng = np.random.default_rng(1)
    states = [tuple(int(x) for x in eps.start[i]) for i in idx]
    stage = [int(eps.near[i, 0, r, c]) for i, (r, c, _) in zip(idx, states)]
    done = [False] * 8
    moves = [0] * 8
    for _ in range(12):
        exp = env.expert().numpy()
        for k, i in enumerate(idx):
            r, c, h = states[k]
            assert exp[k] == eps.expert[i, stage[k], r, c, h]
        acts = rng.integers(0, 4, 8)
        follow = rng.random(8) < 0.5
        acts[follow] = exp[follow]
        view = env.step(torch.from_numpy(acts))
        for k, i in enumerate(idx):
            if done[k]:
                continue
            if acts[k] == STOP:
                done[k] = True
                continue
            states[k] = step_state(eps.grids[eps.layout[i]], *states[k], int(acts[k]))
            stage[k] |= int(eps.near[i, 0, states[k][0], states[k][1]])
            moves[k] += 1
        assert [tuple(s) for s in torch.stack([env.r, env.c, env.h], 1).tolist()] == states
        assert env.done.tolist() == done and env.moves.tolist() == moves
        for k, i in enumerate(idx):
            assert np.array_equal(view[k].numpy(), egocentric_view(eps.grids[eps.layout[i]], *states[k]).ravel())
    succ = env.success().tolist()
    for k, i in enumerate(idx):
        assert succ[k] == (done[k] and stage[k] == 1 and bool(eps.near[i, 1, states[k][0], states[k][1]]))
    fixture = testkit.NavEnv(*env._args)
    name, args = fixture.__remote__()
    again = testkit.rebuild(name, args)
    assert np.array_equal(again.observe().numpy(), env.reset().numpy())
    assert np.array_equal(again.expert().numpy(), env.expert().numpy())
    with pytest.raises(ValueError):
        env.step(torch.tensor([5] * 8))


def test_expert_rollout_in_nav_batch_succeeds_in_shortest_moves(eps):
    from utils.data.gridnav import NavBatch
    env = NavBatch.from_episodes(eps, np.arange(len(eps)))
    for _ in range(40):
        env.step(env.expert())
        if env.done.all():
            break
    assert env.success().all()
    assert np.array_equal(env.moves.numpy(), eps.shortest())


def test_nav_table_fixture():
    import torch

    from utils import testkit
    table = np.arange(5 * 14 * 4, dtype=float).reshape(5, 14, 4)
    turn = np.ones((4, 4))
    p = testkit.NavTable(table.tolist(), turn.tolist(), 12)
    view = torch.zeros(2, 20, dtype=torch.long)
    view[1, 12] = 3
    logits, state = p.step(view, torch.tensor([0, 1]), torch.tensor([4, 2]), p.start(torch.zeros(2, 13)))
    assert torch.allclose(logits, torch.tensor(np.stack([table[4, 0] + 1, table[2, 3] + 1])))
    assert state.tolist() == [1, 1]
