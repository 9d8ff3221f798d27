import ast

import numpy as np
import pytest

from utils.data.expressions import (
    EXPR_VOCAB,
    expression_dataset,
    expression_depth,
    expression_tokens,
    expression_value,
    random_expression,
)


def python_value(tree):
    """Independent reference: Python's own parser and evaluator on the token string."""
    source = " ".join(expression_tokens(tree))
    node = ast.parse(source, mode="eval")
    assert all(isinstance(n, (ast.Expression, ast.BinOp, ast.Constant, ast.Add, ast.Sub)) for n in ast.walk(node))
    return eval(compile(node, "<expr>", "eval"))


def test_values_match_python_and_depths_are_exact():
    rng = np.random.default_rng(0)
    for depth in range(0, 7):
        for _ in range(50):
            t = random_expression(rng, depth)
            assert expression_depth(t) == depth
            assert expression_value(t) == python_value(t)
            assert set(expression_tokens(t)) <= set(EXPR_VOCAB)


def test_dataset_is_deterministic_and_checked():
    trees, values = expression_dataset(200, (1, 2, 3), seed=5)
    trees2, values2 = expression_dataset(200, (1, 2, 3), seed=5)
    assert trees == trees2 and np.array_equal(values, values2) and values.dtype == np.float64
    assert {expression_depth(t) for t in trees} == {1, 2, 3}
    with pytest.raises(ValueError):
        expression_dataset(10, (0,), seed=0)
    with pytest.raises(ValueError):
        expression_value(("*", 1, 2))
