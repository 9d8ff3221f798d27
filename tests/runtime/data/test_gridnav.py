"""utils.data.gridnav: Lab 7's navigation grid worlds, instructions and expert."""

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
