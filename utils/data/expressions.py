"""Arithmetic expression trees for Lab 3's recursive network (made offline, deterministic).

A tree is a digit ``d`` (an ``int`` in 0..9) or a tuple ``(op, left, right)`` with ``op`` in
``EXPR_OPS`` (``"+"``, ``"-"``); its value is the usual integer arithmetic. The same expression
written as a token sequence, fully parenthesised (``( 3 + ( 4 - 1 ) )``), is what a chain RNN reads.
"""

from __future__ import annotations

import numpy as np

EXPR_OPS = ("+", "-")
EXPR_VOCAB = tuple(str(d) for d in range(10)) + EXPR_OPS + ("(", ")")


def random_expression(rng: np.random.Generator, depth: int):
    """A random tree of exactly ``depth`` (0: a digit). One child has depth ``depth - 1``, the other
    a uniformly drawn smaller depth, on a random side; operators and digits are uniform."""
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    if depth == 0:
        return int(rng.integers(10))
    op = EXPR_OPS[int(rng.integers(len(EXPR_OPS)))]
    other = int(rng.integers(depth))
    left, right = (depth - 1, other) if rng.random() < 0.5 else (other, depth - 1)
    return (op, random_expression(rng, left), random_expression(rng, right))


def expression_value(tree) -> int:
    """The integer value of a tree."""
    if isinstance(tree, (int, np.integer)):
        return int(tree)
    op, left, right = tree
    a, b = expression_value(left), expression_value(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    raise ValueError(f"unknown operator {op!r}; expected one of {EXPR_OPS}")


def expression_tokens(tree) -> list[str]:
    """The fully parenthesised infix tokens of a tree, e.g. ``['(', '3', '+', '4', ')']``."""
    if isinstance(tree, (int, np.integer)):
        return [str(int(tree))]
    op, left, right = tree
    return ["(", *expression_tokens(left), op, *expression_tokens(right), ")"]


def expression_depth(tree) -> int:
    if isinstance(tree, (int, np.integer)):
        return 0
    return 1 + max(expression_depth(tree[1]), expression_depth(tree[2]))


def expression_dataset(n: int, depths, seed: int):
    """``n`` trees with depths drawn uniformly from ``depths``, and their values ``(n,)`` float64."""
    depths = tuple(int(d) for d in depths)
    if n < 1 or not depths or min(depths) < 1:
        raise ValueError(f"need n >= 1 and depths >= 1, got n={n}, depths={depths}")
    rng = np.random.default_rng(seed)
    trees = [random_expression(rng, depths[int(rng.integers(len(depths)))]) for _ in range(n)]
    return trees, np.array([expression_value(t) for t in trees], dtype=np.float64)
