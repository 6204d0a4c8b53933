"""Issue 14, the heuristic bridge to inelastic spectra: quantum levels of the two spins (dimer_core.spins.levels)."""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.spins import levels


def test_spin_matrices_obey_the_algebra():
    for s in (0.5, 1.0, 2.5):
        sx, sy, sz = levels.spin_matrices(s)
        np.testing.assert_allclose(sx @ sy - sy @ sx, 1j * sz, atol=1e-12)
        np.testing.assert_allclose(sx @ sx + sy @ sy + sz @ sz, s * (s + 1) * np.eye(int(2 * s + 1)), atol=1e-12)


def test_isotropic_exchange_gives_the_lande_interval_rule_and_spin_flip_selection():
    """E = −J m1·m2 (X_12 = X_21 = J·1): H = −(J/S²) S1·S2, levels by total spin L with
    E(L) − E(L − 1) = −(J/S²)·L; J < 0 (antiferromagnetic): ground L = 0, the first step at |J|/S²·1, and
    S_a takes L = 0 only to L = 1 (weight S(S+1)/3·3 = S(S+1) in the triplet, 0 elsewhere)."""
    s, j = 2.5, -0.8
    x = np.zeros((6, 6))
    x[:3, 3:] = x[3:, :3] = j * np.eye(3)
    h, ops = levels.two_spin_hamiltonian(np.zeros(6), np.zeros((3, 3)), x, s)
    e, vec = np.linalg.eigh(h)
    steps = np.unique(np.round(e - e[0], 10))
    expect = [(-j / s ** 2) * 0.5 * L * (L + 1) for L in range(6)]
    np.testing.assert_allclose(steps, expect, atol=1e-10)
    triplet = np.isclose(e - e[0], -j / s ** 2, atol=1e-10)
    amp = np.einsum("ijk,k->ij", ops[0], vec[:, 0]) @ vec.conj()
    weight = (np.abs(amp) ** 2).sum(axis=0)
    assert weight[triplet].sum() == pytest.approx(s * (s + 1), rel=1e-10)
    assert weight[~triplet].sum() == pytest.approx(0.0, abs=1e-10)


def test_a_zeeman_field_splits_a_free_spin_in_steps_of_h_over_s():
    """Two uncoupled spins in a field h along z: g = h, H = −(h/S)(S1z + S2z): levels k·h/S."""
    s, h = 2.5, 0.5
    g = np.array([0, 0, h, 0, 0, h], float)
    e = np.linalg.eigvalsh(levels.two_spin_hamiltonian(g, np.zeros((3, 3)), np.zeros((6, 6)), s)[0])
    np.testing.assert_allclose(np.unique(np.round(e - e[0], 10)), h / s * np.arange(11), atol=1e-10)


def test_levels_of_the_paper_dimer_are_gapped_and_the_nonconservative_part_vanishes_at_zero_bias():
    ds = levels.levels(dc.preset("weak-soc"), [0.0, 3.0])
    assert ds.excitation.values[:, 0].tolist() == [0.0, 0.0]
    assert np.all(np.diff(ds.excitation.values, axis=1) >= -1e-12)
    assert ds.nonconservative.values[0] < 1e-8 < ds.nonconservative.values[1]
    assert np.all(ds.step_weight.values[:, :, 1:] >= 0)


def test_levels_command_writes_a_table(tmp_path):
    import pandas as pd

    from dimer_core import cli

    out = tmp_path / "levels.csv"
    assert cli.main(["levels", "--V", "0:3:2", "--n_levels", "4", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["V", "level", "excitation", "weight_site1", "weight_site2",
                                   "dimer_core_version"]
    direct = levels.levels(dc.preset("weak-soc"), [0.0, 3.0], n_levels=4)
    np.testing.assert_allclose(table.excitation, direct.excitation.values.ravel(), rtol=1e-12, atol=1e-14)
    assert cli.main(["levels", "--n_levels", "99", "--out", str(out)]) == 2
