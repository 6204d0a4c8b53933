"""The paper's facts 1–7 (Secs. III–IV, Figs. 2–7; README, "Results compared with the paper") on computed maps."""
import numpy as np
import pytest

import dimer_core as dc
from .conftest import MU_F, V, lead_potentials


def _mirror_V(z):
    return z[:, ::-1]


@pytest.mark.parametrize("T", [0.0, 10.0])
@pytest.mark.parametrize("name", ["weak-soc", "strong-soc"])
def test_fact1_dmi_is_odd_in_bias_and_antisymmetric_in_sites(name, T):
    ds = dc.maps(dc.preset(name, T=T), MU_F, V)
    d1, d2 = ds.D_1.values, ds.D_2.values
    scale = np.abs(d2).max()
    assert scale > 1e-3
    np.testing.assert_allclose(d2, -_mirror_V(d2), atol=1e-9 * scale)
    np.testing.assert_allclose(d2, -d1, atol=1e-9 * scale)
    assert np.abs(ds.D_2.sel(V=0.0).values).max() < 1e-9 * scale


def test_fact2_exchange_antiferromagnetic_band_about_mu_R(weak_map):
    ds, p = weak_map, dc.preset("weak-soc")
    mu_l, mu_r = lead_potentials(ds)
    j = ds.J_2.values
    band = np.abs(mu_r) < p.t0 - p.t - 0.3
    outside = np.abs(mu_r) > p.t0 + p.t + 0.5
    assert (j[band] < 0).mean() > 0.98
    assert (j[outside] > 0).mean() > 0.98
    # X shape: J_2 changes fastest across the lines mu_L, mu_R = ±(t0 ± t)
    grad = np.hypot(*np.gradient(j, ds.mu_F.values, ds.V.values))
    steep = grad > 0.5 * grad.max()
    near_line = np.minimum(np.abs(np.abs(mu_l) - p.t0), np.abs(np.abs(mu_r) - p.t0)) < p.t + 1.0
    assert near_line[steep].mean() > 0.95


def test_fact3_dmi_step_like_with_a_first_plateau():
    """D_2 = Φ_L(mu_L) + Φ_R(mu_R) steps where a lead potential crosses ±(t0 ± t); inside the
    diamond |mu_L|, |mu_R| < t0 − t it stays on its first plateau (D = D(V=0) = 0).
    Narrow contacts (t_L = t_R = 3 meV, widths 0.09 meV) make the plateau sharp."""
    p = dc.preset("weak-soc", tL=3.0, tR=3.0)
    ds = dc.maps(p, MU_F, V)
    mu_l, mu_r = lead_potentials(ds)
    d = ds.D_2.values
    scale = np.abs(d).max()
    diamond = (np.abs(mu_l) < p.t0 - p.t - 0.3) & (np.abs(mu_r) < p.t0 - p.t - 0.3)
    assert np.abs(d[diamond]).max() < 0.05 * scale
    far = (np.abs(mu_l) > p.t0 + p.t + 0.5) & (np.abs(mu_r) > p.t0 + p.t + 0.5)
    assert np.ptp(np.abs(d[far & (np.sign(mu_l) != np.sign(mu_r))])) < 0.1 * scale  # last plateau
    # the paper's default (broad) contacts: monotone rise to the plateau along mu_F = 0
    cut = dc.maps(dc.preset("weak-soc"), [0.0], np.linspace(0, 12, 97)).D_2.values[0]
    assert np.all(np.diff(cut) >= -1e-12 * np.abs(cut).max())
    assert abs(cut[-1] - cut[-33]) < 0.02 * abs(cut[-1])


def test_fact4_damping_maxima_and_energy_injection(weak_map):
    ds, p = weak_map, dc.preset("weak-soc")
    mu_l, mu_r = lead_potentials(ds)
    a = ds.a_i_22.values
    imax = np.unravel_index(a.argmax(), a.shape)
    assert abs(abs(mu_l[imax]) - (p.t0 - p.t)) < 0.3 and abs(abs(mu_r[imax]) - p.t0) < 0.3
    negative = a < -1e-3 * a.max()
    assert negative.sum() > 50
    assert np.all(np.abs(mu_l[negative]) < p.t0 - p.t + 0.5)
    assert np.all(np.abs(mu_r[negative]) > p.t0 - 0.5)
    injection = (np.abs(mu_l) < 0.3 * (p.t0 - p.t)) & (np.abs(mu_r) > p.t0 + 1.0)  # resonances are ~1 meV wide
    assert (a[injection] < 0).mean() > 0.9
    assert np.all(ds.T_eff_2.values[negative] < 0)  # reported as negative, not hidden


def test_fact5_noise_step_like_and_zero_at_equilibrium(weak_map):
    j = weak_map.j_i_22.values
    assert np.all(weak_map.j_i_22.sel(V=0.0).values == 0.0)
    assert j.min() >= 0.0
    positive_v = weak_map.V.values >= 0
    assert np.all(np.diff(j[:, positive_v], axis=1) >= -1e-12 * j.max())  # rises with |V|


def test_fact6_anisotropic_couplings_small_and_K_opposite(weak_map):
    ds = weak_map
    jmax = np.abs(ds.J_2.values).max()
    assert np.abs(ds.A_2.values).max() < 0.02 * jmax
    assert np.abs(ds.K_2.values).max() < 0.02 * jmax
    k, a = ds.K_2.values, ds.A_2.values
    big = (np.abs(k) > 0.1 * np.abs(k).max()) & (np.abs(a) > 0.1 * np.abs(a).max())
    assert (k[big] * a[big] < 0).mean() > 0.8


def test_fact7_weak_and_strong_soc(weak_map, strong_map):
    w, s = weak_map, strong_map

    def peak(ds, k):
        return np.abs(ds[k].values).max()

    assert peak(w, "a_an_22") < 0.05 * peak(w, "a_i_22")
    assert peak(w, "j_an_22") < 0.05 * peak(w, "j_i_22")
    assert 0.35 < peak(s, "J_2") / peak(w, "J_2") < 0.65        # J_2 about halves
    assert peak(s, "D_2") > peak(s, "J_2")                       # the DMI dominates
    assert peak(s, "a_an_22") > 0.5 * peak(s, "a_i_22")          # anisotropic damping comparable
    assert peak(s, "j_an_22") > 0.3 * peak(s, "j_i_22")
