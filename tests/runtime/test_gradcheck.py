import numpy as np
import pytest

from utils.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error


def test_rel_error_basics():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)
    # both zero: the floor avoids 0/0
    assert rel_error([0.0], [0.0]) == 0.0


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        rel_error(np.ones(3), np.ones(4))


def test_numerical_gradient_of_quadratic_is_exact_to_roundoff():
    A = np.linspace(-1, 1, 12).reshape(3, 4)
    x = np.linspace(-0.5, 0.7, 4)
    f = lambda v: float(np.sum((A @ v) ** 2))
    analytic = 2 * A.T @ (A @ x)
    numeric = eval_numerical_gradient(f, x)
    assert rel_error(analytic, numeric) < 1e-9
    np.testing.assert_array_equal(x, np.linspace(-0.5, 0.7, 4))  # restored in place


def test_numerical_gradient_array_is_a_vector_jacobian_product():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    dout = np.linspace(0.3, -0.4, 6).reshape(2, 3)
    numeric = eval_numerical_gradient_array(np.tanh, x, dout)
    assert rel_error(numeric, dout * (1 - np.tanh(x) ** 2)) < 1e-9


def test_gradcheck_refuses_float32():
    with pytest.raises(ValueError, match="float64"):
        eval_numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32))


def test_gradcheck_reports_dout_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        eval_numerical_gradient_array(np.tanh, np.ones(3), np.ones(4))
