import numpy as np
import pytest

from utils.data.hopfield import digit_templates


def test_digit_templates_shape_values_and_overlaps():
    t = digit_templates()
    assert t.shape == (10, 64) and t.dtype == np.float64
    assert set(np.unique(t)) == {-1.0, 1.0}
    overlaps = t @ t.T / 64
    assert np.allclose(np.diag(overlaps), 1.0)
    off = overlaps[~np.eye(10, dtype=bool)]
    assert off.min() > 0.2 and off.max() < 0.9          # correlated, and all distinct
    assert np.array_equal(digit_templates(), t)          # deterministic


def test_digit_templates_threshold_checked():
    with pytest.raises(ValueError):
        digit_templates(threshold=0)
    assert (digit_templates(threshold=4) == 1).sum() > (digit_templates(threshold=12) == 1).sum()
