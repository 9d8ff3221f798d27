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
TEMPLATES_1 = ("go to the {b} and stop", "walk to the {b} , then stop", "stop next to the {b}")
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
    pad = np.pad(grid == token, 1)
    adj = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    return adj & (grid == FLOOR)


def expert_tables(grid: np.ndarray, near_a: np.ndarray, near_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to go and expert action from every state (stage, row, column, heading).

    Stage becomes 1 on entering a cell of ``near_a``; the goal is stage 1 on a cell of
    ``near_b``, where the expert says ``stop``. Elsewhere the expert takes the action whose
    next state is closest to the goal, preferring forward, then left, then right. Returns
    ``dist`` and ``expert``, both (2, n, n, 4) int (-1 on blocked or hopeless states).
    """
    n = grid.shape[0]
    big = 10 ** 6
    free = grid == FLOOR
    dist = np.full((2, n, n, 4), big, dtype=np.int64)
    nxt = np.zeros((2, n, n, 4, 3, 4), dtype=np.int64)   # next (s, r, c, h) per action
    r, c, h = np.meshgrid(np.arange(n), np.arange(n), np.arange(4), indexing="ij")
    r2, c2 = r + DR[h], c + DC[h]
    inside = (r2 >= 0) & (r2 < n) & (c2 >= 0) & (c2 < n)
    ok = inside & free[r2.clip(0, n - 1), c2.clip(0, n - 1)]
    moves = [(np.where(ok, r2, r), np.where(ok, c2, c), h),    # forward (stays when blocked)
             (r, c, (h - 1) % 4), (r, c, (h + 1) % 4)]          # left, right
    for a, (ra, ca, ha) in enumerate(moves):
        for s in range(2):
            nxt[s, :, :, :, a] = np.stack([s | near_a[ra, ca].astype(np.int64), ra, ca, ha], -1)
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
    """The instruction naming landmark ``a`` (waypoint) and ``b`` (goal), ids into LANDMARKS;
    with ``a == b`` a one-landmark instruction (``TEMPLATES_1``)."""
    name = " ".join
    templates = TEMPLATES_1 if a == b else TEMPLATES
    return templates[template % len(templates)].format(a=name(LANDMARKS[a]), b=name(LANDMARKS[b]))


def encode_instruction(text: str) -> np.ndarray:
    """(MAX_WORDS,) word ids, left-padded with ``<pad>`` (id 0)."""
    ids = [WORD_ID[w] for w in text.split()]
    if len(ids) > MAX_WORDS:
        raise ValueError(f"instruction longer than {MAX_WORDS} words: {text!r}")
    return np.array([0] * (MAX_WORDS - len(ids)) + ids, dtype=np.int64)


def make_nav_episodes(n_layouts: int, episodes_per_layout: int = 4, n: int = 7, seed: int = 0,
                      min_length: int = 4, landmarks: int = 4, walls: int = 4, stages: int = 2) -> NavEpisodes:
    """``n_layouts`` layouts with ``episodes_per_layout`` episodes each (deterministic from ``seed``).

    Each layout has ``landmarks`` landmarks and ``walls`` inner walls. ``stages=2``: the
    instruction names a waypoint and a goal; ``stages=1``: only the goal ("go to the red
    circle and stop"; ``targets`` then holds the goal twice). Train and test layouts come
    from different seeds; use different seeds for unseen layouts."""
    if not isinstance(n_layouts, (int, np.integer)) or n_layouts <= 0:
        raise ValueError(f"n_layouts must be a positive integer, got {n_layouts!r}")
    if not 5 <= n <= 12:
        raise ValueError(f"n must be between 5 and 12, got {n!r}")
    if stages not in (1, 2):
        raise ValueError(f"stages must be 1 or 2, got {stages!r}")
    if not stages <= landmarks <= 8 or not 0 <= walls <= n * n // 4:
        raise ValueError(f"need {stages} <= landmarks <= 8 and 0 <= walls <= {n * n // 4}, got {landmarks}, {walls}")
    rng = np.random.default_rng(seed)
    grids, layout, start, targets, instr, text, dists, experts, nears = [], [], [], [], [], [], [], [], []
    for li in range(n_layouts):
        grid = make_layout(rng, n, landmarks, walls)
        grids.append(grid)
        marks = [int(t) - 2 for t in np.unique(grid) if t >= 2]
        done = 0
        while done < episodes_per_layout:
            a, b = (int(x) for x in rng.choice(marks, size=2, replace=False))
            if stages == 1:
                a = b
            na, nb = near_cells(grid, 2 + a), near_cells(grid, 2 + b)
            free = np.argwhere((grid == FLOOR) & ~na)
            r, c = free[rng.integers(len(free))]
            h = int(rng.integers(4))
            dist, expert = expert_tables(grid, na, nb)
            if dist[0, r, c, h] < min_length:
                continue
            t = instruction_text(a, b, int(rng.integers(len(TEMPLATES if stages == 2 else TEMPLATES_1))))
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
                       {"n": n, "seed": seed, "stages": stages})


def all_views(grids: np.ndarray, ahead: int = VIEW_DEPTH - 1, behind: int = 0,
              side: int = VIEW_WIDTH // 2) -> np.ndarray:
    """(L, n, n, 4, V) the egocentric view from every state of every grid, flattened.

    The view has ``behind + 1 + ahead`` rows (the farthest ahead first) and ``2 * side + 1``
    columns, heading up, the agent in the middle column; the defaults give
    :func:`egocentric_view`. ``ahead = behind = side = n - 1`` is a panorama: the whole grid
    from wherever the agent stands, turned to its heading."""
    grids = np.asarray(grids, dtype=np.int64)
    L, n = grids.shape[0], grids.shape[1]
    pad = max(ahead, behind, side) + 1
    padded = np.pad(grids, ((0, 0), (pad, pad), (pad, pad)), constant_values=WALL)
    r, c, h = np.meshgrid(np.arange(n), np.arange(n), np.arange(4), indexing="ij")   # (n, n, 4)
    f = np.arange(ahead, -behind - 1, -1)[:, None]                                   # (D, 1)
    lat = np.arange(-side, side + 1)[None, :]                                        # (1, W)
    right = (h + 1) % 4
    rr = r[..., None, None] + f * DR[h][..., None, None] + lat * DR[right][..., None, None]
    cc = c[..., None, None] + f * DC[h][..., None, None] + lat * DC[right][..., None, None]
    out = padded[:, rr + pad, cc + pad]                                              # (L, n, n, 4, D, W)
    return out.reshape(L, n, n, 4, -1)


class NavBatch:
    """B episodes stepped together with torch tensors (the environment of a rollout).

    Built from plain arrays: ``grids`` (B, n, n) cell tokens, ``start`` (B, 3) row, column,
    heading, ``near`` (B, 2, n, n) bool (cells next to the waypoint and the goal), ``expert``
    (B, 2, n, n, 4) the expert's action from every (stage, row, column, heading), and
    ``instructions`` (B, MAX_WORDS) word ids; :meth:`from_episodes` takes them from a
    :class:`NavEpisodes`. The state is ``r``, ``c``, ``h`` (heading), ``stage`` (1 once the
    waypoint was reached), ``done`` (the episode stopped) and ``moves`` (actions other than
    ``stop`` taken), all (B,) tensors; ``path`` lists the (B, 2) positions after every step.
    Made from plain data, so that :class:`utils.testkit.NavEnv` can rebuild it in a grading sandbox.
    """

    def __init__(self, grids, start, near, expert, instructions, view=(VIEW_DEPTH - 1, 0, VIEW_WIDTH // 2),
                 views=None):
        import torch
        self._args = tuple(np.asarray(a) for a in (grids, start, near, expert, instructions))
        self._args += (tuple(int(v) for v in view),)
        grids = np.asarray(grids, dtype=np.int64)
        if grids.ndim != 3 or grids.shape[1] != grids.shape[2]:
            raise ValueError(f"grids must be (B, n, n), got {grids.shape}")
        B, n = grids.shape[0], grids.shape[1]
        start, near = np.asarray(start, dtype=np.int64), np.asarray(near, dtype=bool)
        expert = np.asarray(expert, dtype=np.int64)
        if start.shape != (B, 3) or near.shape != (B, 2, n, n) or expert.shape != (B, 2, n, n, 4):
            raise ValueError("start, near and expert must be (B, 3), (B, 2, n, n) and (B, 2, n, n, 4)")
        self.n, self.B = n, B
        self.views = torch.from_numpy(all_views(grids, *view) if views is None else np.asarray(views))
        self.free = torch.from_numpy(grids == FLOOR)
        self.near = torch.from_numpy(near)
        self.expert_table = torch.from_numpy(expert)
        self.instructions = torch.as_tensor(np.asarray(instructions, dtype=np.int64))
        self._start = torch.from_numpy(start)
        self._dr, self._dc = torch.from_numpy(DR), torch.from_numpy(DC)
        self.b = torch.arange(B)
        self.reset()

    @classmethod
    def from_episodes(cls, eps: NavEpisodes, idx, view=(VIEW_DEPTH - 1, 0, VIEW_WIDTH // 2)) -> NavBatch:
        """The episodes ``idx`` of ``eps``; ``view`` = (ahead, behind, side) as in :func:`all_views`
        (the views are computed once per layout and cached)."""
        idx = np.asarray(idx, dtype=np.int64)
        view = tuple(int(v) for v in view)
        if ("views", view) not in eps.meta:
            eps.meta["views", view] = all_views(eps.grids, *view)
        lay = eps.layout[idx]
        return cls(eps.grids[lay], eps.start[idx], eps.near[idx], eps.expert[idx], eps.instructions[idx],
                   view=view, views=eps.meta["views", view][lay])

    def __len__(self):
        return self.B

    def reset(self):
        """Back to the start states; returns the first views (B, VIEW_DEPTH * VIEW_WIDTH)."""
        import torch
        self.r, self.c, self.h = (self._start[:, k].clone() for k in range(3))
        self.stage = self.near[self.b, 0, self.r, self.c].long()
        self.done = torch.zeros(self.B, dtype=torch.bool)
        self.moves = torch.zeros(self.B, dtype=torch.long)
        self.path = [torch.stack([self.r, self.c], 1)]
        return self.observe()

    def observe(self):
        """(B, VIEW_DEPTH * VIEW_WIDTH) int64 cell tokens of the current egocentric views."""
        return self.views[self.b, self.r, self.c, self.h]

    def expert(self):
        """(B,) int64 the expert's action from each current state (a shortest-path action)."""
        return self.expert_table[self.b, self.stage, self.r, self.c, self.h]

    def step(self, actions):
        """Apply (B,) actions to the episodes not done yet (``stop`` ends one); returns the new views."""
        import torch
        act = torch.as_tensor(actions).long().reshape(-1)
        if act.shape[0] != self.B or bool(((act < 0) | (act > STOP)).any()):
            raise ValueError(f"actions must be ({self.B},) integers in 0..{STOP}")
        live = ~self.done
        r2, c2 = self.r + self._dr[self.h], self.c + self._dc[self.h]
        inside = (r2 >= 0) & (r2 < self.n) & (c2 >= 0) & (c2 < self.n)
        ok = live & (act == FORWARD) & inside & self.free[self.b, r2.clamp(0, self.n - 1), c2.clamp(0, self.n - 1)]
        self.r, self.c = torch.where(ok, r2, self.r), torch.where(ok, c2, self.c)
        self.h = torch.where(live & (act == LEFT), (self.h + 3) % 4, self.h)
        self.h = torch.where(live & (act == RIGHT), (self.h + 1) % 4, self.h)
        self.moves = self.moves + (live & (act != STOP)).long()
        self.stage = self.stage | self.near[self.b, 0, self.r, self.c].long()
        self.done = self.done | (live & (act == STOP))
        self.path.append(torch.stack([self.r, self.c], 1))
        return self.observe()

    def success(self):
        """(B,) bool: stopped next to the goal after reaching the waypoint."""
        return self.done & (self.stage == 1) & self.near[self.b, 1, self.r, self.c]
