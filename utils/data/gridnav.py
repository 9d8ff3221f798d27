"""Procedural grid worlds for vision-language navigation (offline, deterministic).

A layout is an ``n x n`` grid (default 7) surrounded by walls, with a few wall cells inside
and four landmarks, each a (colour, shape) pair from Lab 4's scenes (:mod:`utils.data.shapes`),
no two alike. Landmarks and walls cannot be entered. An episode adds an instruction::

    go to the red circle , then stop next to the blue square

and a start state (row, column, heading). The agent acts with ``forward``, ``left``,
``right`` (turn in place by 90 degrees) and ``stop``; it "reaches" a landmark when it
stands on a free cell 4-adjacent to it. The episode succeeds when the agent stops next to
the second landmark after having stood next to the first. Lengths are counted in actions
(a turn costs as much as a step; ``stop`` costs nothing), so shortest paths are a
breadth-first search over (stage, row, column, heading), where ``stage`` is 1 once the
first landmark has been reached. :func:`expert_tables` gives the distance to the goal and
the expert's action from EVERY state, which student forcing needs.

The agent sees an egocentric view: ``VIEW_DEPTH`` rows (its own row and the rows in front
of it) by ``VIEW_WIDTH`` columns centred on it, rotated so that its heading points up.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .shapes import COLORS, SHAPES

ACTIONS = ("forward", "left", "right", "stop")
FORWARD, LEFT, RIGHT, STOP = range(4)
HEADINGS = ("north", "east", "south", "west")
DR = np.array([-1, 0, 1, 0])
DC = np.array([0, 1, 0, -1])
FLOOR, WALL = 0, 1
LANDMARKS = tuple((c, s) for c in COLORS for s in SHAPES)   # 12 landmarks, cell tokens 2..13
CELL_TOKENS = ("floor", "wall", *(f"{c} {s}" for c, s in LANDMARKS))
VIEW_DEPTH, VIEW_WIDTH = 4, 5
TEMPLATES = ("go to the {a} , then stop next to the {b}",
             "walk to the {a} and then stop beside the {b}")
WORDS = ("<pad>", "go", "to", "the", ",", "then", "stop", "next", "walk", "and", "beside",
         *COLORS, *SHAPES)
WORD_ID = {w: i for i, w in enumerate(WORDS)}
MAX_WORDS = 13


@dataclass
class NavEpisodes:
    """Episodes on layouts. ``grids`` (L, n, n) int cell tokens; per episode (E of them):
    ``layout`` (E,), ``start`` (E, 3) row, column, heading; ``targets`` (E, 2) landmark ids
    (index into LANDMARKS) of the waypoint and the goal; ``instructions`` (E, MAX_WORDS)
    word ids, left-padded; ``text`` the instructions as strings; ``dist`` and ``expert``
    (E, 2, n, n, 4) from :func:`expert_tables` (dist -1 where unreachable or blocked);
    ``near`` (E, 2, n, n) bool: free cells next to the waypoint and the goal."""
    grids: np.ndarray
    layout: np.ndarray
    start: np.ndarray
    targets: np.ndarray
    instructions: np.ndarray
    text: list
    dist: np.ndarray
    expert: np.ndarray
    near: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.layout)

    def shortest(self, i=None):
        """Shortest path length (actions, stop excluded) of episode ``i``, or of all (E,)."""
        idx = np.arange(len(self)) if i is None else np.atleast_1d(i)
        r, c, h = self.start[idx].T
        s = self.near[idx, 0, r, c].astype(int)
        out = self.dist[idx, s, r, c, h]
        return int(out[0]) if i is not None and np.ndim(i) == 0 else out


def step_state(grid: np.ndarray, r: int, c: int, h: int, action: int) -> tuple[int, int, int]:
    """The next (row, column, heading); ``forward`` into a wall, a landmark or the border stays put."""
    if action == LEFT:
        return r, c, (h - 1) % 4
    if action == RIGHT:
        return r, c, (h + 1) % 4
    if action == FORWARD:
        n = grid.shape[0]
        r2, c2 = r + DR[h], c + DC[h]
        if 0 <= r2 < n and 0 <= c2 < n and grid[r2, c2] == FLOOR:
            return int(r2), int(c2), h
    return r, c, h


def near_cells(grid: np.ndarray, token: int) -> np.ndarray:
    """(n, n) bool: free cells 4-adjacent to the cell holding ``token``."""
    n = grid.shape[0]
    at = grid == token
    pad = np.pad(at, 1)
    adj = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    return adj & (grid == FLOOR) & np.ones((n, n), bool)


def expert_tables(grid: np.ndarray, near_a: np.ndarray, near_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to go and expert action from every state (stage, row, column, heading).

    Stage becomes 1 on entering a cell of ``near_a``; the goal is stage 1 on a cell of
    ``near_b``, where the expert says ``stop``. Elsewhere the expert takes the action whose
    next state is closest to the goal, preferring forward, then left, then right. Returns
    ``dist`` and ``expert``, both (2, n, n, 4) int (-1 on blocked or hopeless states).
    """
    n = grid.shape[0]
    big = 10 ** 6
    dist = np.full((2, n, n, 4), big, dtype=np.int64)
    free = grid == FLOOR
    nxt = np.zeros((2, n, n, 4, 3, 4), dtype=np.int64)   # next (s, r, c, h) per action
    for s in range(2):
        for r in range(n):
            for c in range(n):
                for h in range(4):
                    for a in range(3):
                        r2, c2, h2 = step_state(grid, r, c, h, a)
                        nxt[s, r, c, h, a] = (s | int(near_a[r2, c2]), r2, c2, h2)
    goal = np.zeros_like(dist, dtype=bool)
    goal[1] = (near_b & free)[:, :, None]
    dist[goal] = 0
    while True:
        cand = 1 + dist[nxt[..., 0], nxt[..., 1], nxt[..., 2], nxt[..., 3]].min(-1)
        new = np.where(goal, 0, np.minimum(dist, cand))
        new[:, ~free] = big
        if np.array_equal(new, dist):
            break
        dist = new
    nd = dist[nxt[..., 0], nxt[..., 1], nxt[..., 2], nxt[..., 3]]   # (2, n, n, 4, 3)
    expert = np.argmin(nd, axis=-1)
    expert[goal] = STOP
    bad = dist >= big
    dist[bad] = -1
    expert[bad] = -1
    return dist, expert


def bfs_length(grid: np.ndarray, near_a: np.ndarray, near_b: np.ndarray, r: int, c: int, h: int) -> int:
    """Shortest number of actions from (r, c, h) by a plain forward BFS (-1 if unreachable)."""
    s0 = int(near_a[r, c])
    seen = {(s0, r, c, h)}
    q = deque([(s0, r, c, h, 0)])
    while q:
        s, r, c, h, d = q.popleft()
        if s == 1 and near_b[r, c]:
            return d
        for a in (FORWARD, LEFT, RIGHT):
            r2, c2, h2 = step_state(grid, r, c, h, a)
            st = (s | int(near_a[r2, c2]), r2, c2, h2)
            if st not in seen:
                seen.add(st)
                q.append((*st, d + 1))
    return -1


def egocentric_view(grid: np.ndarray, r: int, c: int, h: int) -> np.ndarray:
    """(VIEW_DEPTH, VIEW_WIDTH) cell tokens in front of the agent, its heading up; row
    ``VIEW_DEPTH - 1`` is the agent's own row, the agent in its middle column. Outside is WALL."""
    n = grid.shape[0]
    out = np.full((VIEW_DEPTH, VIEW_WIDTH), WALL, dtype=np.int64)
    right = (h + 1) % 4
    for i in range(VIEW_DEPTH):
        f = VIEW_DEPTH - 1 - i
        for j in range(VIEW_WIDTH):
            lat = j - VIEW_WIDTH // 2
            rr = r + f * DR[h] + lat * DR[right]
            cc = c + f * DC[h] + lat * DC[right]
            if 0 <= rr < n and 0 <= cc < n:
                out[i, j] = grid[rr, cc]
    return out


def _connected(free: np.ndarray) -> bool:
    cells = list(zip(*np.nonzero(free)))
    if not cells:
        return False
    seen, q = {cells[0]}, deque([cells[0]])
    n = free.shape[0]
    while q:
        r, c = q.popleft()
        for dr, dc in zip(DR, DC):
            rr, cc = r + dr, c + dc
            if 0 <= rr < n and 0 <= cc < n and free[rr, cc] and (rr, cc) not in seen:
                seen.add((rr, cc))
                q.append((rr, cc))
    return len(seen) == len(cells)


def make_layout(rng: np.random.Generator, n: int = 7, n_landmarks: int = 4, n_walls: int = 4) -> np.ndarray:
    """One (n, n) grid of cell tokens: connected free cells, every landmark with a free neighbour."""
    while True:
        grid = np.zeros((n, n), dtype=np.int64)
        cells = rng.permutation(n * n)[:n_landmarks + n_walls]
        marks = rng.choice(len(LANDMARKS), size=n_landmarks, replace=False)
        for k, cell in enumerate(cells):
            grid[cell // n, cell % n] = 2 + marks[k] if k < n_landmarks else WALL
        if _connected(grid == FLOOR) and all(near_cells(grid, 2 + m).any() for m in marks):
            return grid


def instruction_text(a: int, b: int, template: int = 0) -> str:
    """The instruction naming landmark ``a`` (waypoint) and ``b`` (goal), ids into LANDMARKS."""
    name = " ".join
    return TEMPLATES[template].format(a=name(LANDMARKS[a]), b=name(LANDMARKS[b]))


def encode_instruction(text: str) -> np.ndarray:
    """(MAX_WORDS,) word ids, left-padded with ``<pad>`` (id 0)."""
    ids = [WORD_ID[w] for w in text.split()]
    if len(ids) > MAX_WORDS:
        raise ValueError(f"instruction longer than {MAX_WORDS} words: {text!r}")
    return np.array([0] * (MAX_WORDS - len(ids)) + ids, dtype=np.int64)


def make_nav_episodes(n_layouts: int, episodes_per_layout: int = 4, n: int = 7, seed: int = 0,
                      min_length: int = 4) -> NavEpisodes:
    """``n_layouts`` layouts with ``episodes_per_layout`` episodes each (deterministic from ``seed``).

    Train and test layouts come from different seeds; use different seeds for unseen layouts."""
    if not isinstance(n_layouts, (int, np.integer)) or n_layouts <= 0:
        raise ValueError(f"n_layouts must be a positive integer, got {n_layouts!r}")
    if not 5 <= n <= 12:
        raise ValueError(f"n must be between 5 and 12, got {n!r}")
    rng = np.random.default_rng(seed)
    grids, layout, start, targets, instr, text, dists, experts, nears = [], [], [], [], [], [], [], [], []
    for li in range(n_layouts):
        grid = make_layout(rng, n)
        grids.append(grid)
        marks = [int(t) - 2 for t in np.unique(grid) if t >= 2]
        done = 0
        while done < episodes_per_layout:
            a, b = (int(x) for x in rng.choice(marks, size=2, replace=False))
            na, nb = near_cells(grid, 2 + a), near_cells(grid, 2 + b)
            free = np.argwhere((grid == FLOOR) & ~na)
            r, c = free[rng.integers(len(free))]
            h = int(rng.integers(4))
            dist, expert = expert_tables(grid, na, nb)
            if dist[0, r, c, h] < min_length:
                continue
            t = instruction_text(a, b, int(rng.integers(len(TEMPLATES))))
            layout.append(li)
            start.append((int(r), int(c), h))
            targets.append((a, b))
            text.append(t)
            instr.append(encode_instruction(t))
            dists.append(dist)
            experts.append(expert)
            nears.append(np.stack([na, nb]))
            done += 1
    return NavEpisodes(np.stack(grids), np.array(layout), np.array(start), np.array(targets),
                       np.stack(instr), text, np.stack(dists), np.stack(experts), np.stack(nears),
                       {"n": n, "seed": seed})
