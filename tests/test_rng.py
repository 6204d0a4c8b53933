"""The kernels' normal generator (xoshiro256** + ziggurat): its distribution and its streams."""
import numpy as np
import pytest
from scipy import stats

from dimer_core.spins.rng import normals


def test_normals_have_the_moments_of_a_standard_normal():
    z = normals(12345, 400_000)
    se = 1.0 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert z.var() == pytest.approx(1.0, abs=5 * np.sqrt(2.0) * se)
    assert abs(stats.skew(z)) < 5 * np.sqrt(6.0) * se
    assert abs(stats.kurtosis(z)) < 5 * np.sqrt(24.0) * se


def test_normals_pass_a_kolmogorov_smirnov_test_including_the_tails():
    z = normals(7, 200_000)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # the ziggurat's base strip (|z| > 3.44) is drawn by a separate branch: its weight must be right
    tail = np.mean(np.abs(z) > 3.442619855899)
    assert tail == pytest.approx(2 * stats.norm.sf(3.442619855899), rel=0.15)


def test_seeds_give_independent_streams():
    a, b = normals(1, 50_000), normals(2, 50_000)
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(a.size)
    np.testing.assert_array_equal(normals(1, 1000), a[:1000])

