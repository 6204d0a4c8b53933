"""The spins of a junction in motion (dimer_core/spins/junction_spins.py, dimer_core/studies/junction_sweeps.py; docs/junction.md, "Spins").

Anchors: the paper's dimer as a junction gives the dimer's own Langevin models and Fokker–Planck sweep.
Two comparisons:

* the same tensors — the dimer's responses (``sweeps.dimer_tensors``, from its maps route) through the junction's
  ``llg_blocks`` against ``sweeps.pinned_model`` (built from the named couplings J_2, D_2, A_2, K_2, chi22_DM,
  a_x_22, j_x_22, T_eff_2: an independent assembly) and ``fp_sweep``: 1e-10 relative (measured ≤ 9e-15, Ω ≤ 8e-16);
* end to end — the junction engine's own tensors (``spin_model(from_dimer(p), …)``) against ``pinned_model`` and
  ``dimer_model``: 1e-10 at T > 0 (measured ≤ 7.4e-12; Ω ≤ 9e-13); at T = 0 the dimer's maps route itself is accurate to
  ~1e-6 (≤ 1.3e-6 against its direct route, which the junction matches to 1e-11: tests/test_junction_dimer.py),
  so there the bound is 1e-6 (measured ≤ 8.7e-8; Ω ≤ 5.5e-8, bound 1e-5); against the dimer's direct route
  (``raw_point``) at T = 0 it is 1e-10 again (measured ≤ 5e-13).

Physics: fluctuation–dissipation of the builder's whole 3n×3n noise at V = 0 with a polarised tip, and
Langevin against an independent Metropolis sampler for three free spins (chain3).
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import junction as J
from dimer_core.studies import sweeps
from dimer_core.studies import junction_sweeps as JD
from dimer_core.spins import junction_spins as JS
from dimer_core.units import HBAR, K_B

sys.path.insert(0, str(Path(__file__).parent))
from spin_mc import metropolis  # noqa: E402

V = [-3.0, 0.0, 1.3, 3.0]
KEYS = ("g", "X", "alpha", "noise", "kt")


def worst(a, b):
    """Largest |a − b| per bias relative to the largest |b| of that bias, over the biases."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    diff = np.abs(a - b).reshape(b.shape[0], -1).max(axis=1)
    return float((diff / np.maximum(np.abs(b).reshape(b.shape[0], -1).max(axis=1), 1e-300)).max())


def same_tensor_blocks(p, free, pinned, terms="full"):
    t = sweeps.dimer_tensors(p, V)
    h, q0 = JS.bare_per_site(JS.OneSpin.from_params(p), 2)
    return JS.llg_blocks(t["chi"], t["dchi"], t["noise"], t["spin"], free, pinned, h, q0, p.Delta, p.S,
                         p.vector("that"), terms)


@pytest.mark.parametrize("name", ["weak-soc", "strong-soc"])
@pytest.mark.parametrize("T", [0.0, 10.0])
@pytest.mark.parametrize("terms", ["full", "paper"])
def test_pinned_blocks_equal_the_dimer_pinned_model(name, T, terms):
    p = dc.preset(name, T=T)
    ref = sweeps.pinned_model(p, V, terms)[0].spins()
    got = same_tensor_blocks(p, (2,), {1: p.vector("m1")}, terms)
    for key in KEYS:
        assert worst(getattr(got, key), getattr(ref, key)) < 1e-10, key


@pytest.mark.parametrize("name", ["weak-soc", "strong-soc"])
@pytest.mark.parametrize("T", [0.0, 10.0])
def test_the_dimer_as_a_junction_gives_its_spin_models(name, T):
    p = dc.preset(name, T=T, m1=(0.3, -0.2, 0.9))
    bare = JS.OneSpin.from_params(p)
    tol = 1e-10 if T > 0 else 1e-6
    junction = J.from_dimer(p)
    pinned = JS.spin_model(junction, V, free=(2,), pinned={1: p.vector("m1")}, bare=bare)
    both = JS.spin_model(junction, V, free=(1, 2), bare=bare)
    for got, ref in ((pinned, sweeps.pinned_model(p, V)[0].spins()), (both, sweeps.dimer_model(p, V).spins())):
        for key in KEYS:
            assert worst(getattr(got, key), getattr(ref, key)) < tol, key
    # the pinned spin matters: along −m_1 the field changes
    flipped = JS.spin_model(junction, V, free=(2,), pinned={1: -np.asarray(p.vector("m1"))}, bare=bare)
    assert worst(flipped.g, pinned.g) > 1e-2


@pytest.mark.parametrize("name", ["weak-soc", "strong-soc"])
def test_at_zero_temperature_the_gap_is_the_maps_route(name):
    """T = 0: the dimer's tensors from its direct route (``couplings.raw_point``, what ``point`` uses), assembled
    by ``llg_blocks``, equal the junction's end to end to 1e-10 (measured ≤ 5e-13): the 1e-6 bound above is
    the accuracy of the maps route, not of the spins."""
    from dimer_core.couplings.dimer import raw_point

    p = dc.preset(name, m1=(0.3, -0.2, 0.9))
    raw = [raw_point(p.updated(V=v)) for v in V]
    that = p.vector("that")
    t = {kind: np.array([[[sweeps.tensor(*(r[f"{kind}_{a}{b}_{x}"] for x in ("i", "DM", "an")), that)
                           for b in (1, 2)] for a in (1, 2)] for r in raw]) for kind in ("chi", "dchi", "noise")}
    spin = np.array([[r[f"spin_{a}"] * np.asarray(that) for a in (1, 2)] for r in raw])
    h, q0 = JS.bare_per_site(JS.OneSpin.from_params(p), 2)
    junction = J.from_dimer(p)
    for free, pinned in (((2,), {1: p.vector("m1")}), ((1, 2), {})):
        ref = JS.llg_blocks(t["chi"], t["dchi"], t["noise"], spin, free, pinned, h, q0, p.Delta, p.S, that)
        got = JS.spin_model(junction, V, free, pinned, JS.OneSpin.from_params(p))
        for key in KEYS:
            assert worst(getattr(got, key), getattr(ref, key)) < 1e-10, (free, key)


@pytest.mark.parametrize("name", ["weak-soc", "strong-soc"])
@pytest.mark.parametrize("T", [0.0, 4.0])
def test_fokker_planck_equals_the_dimer_sweep(name, T):
    p = dc.preset(name, T=T)
    ref = sweeps.fp_sweep(p, V)
    omega, b_nc, kt = JS.fp_orientation(same_tensor_blocks(p, (2,), {1: p.vector("m1")}))
    ref_omega = np.stack([ref[f"Omega_{x}"].values for x in "xyz"], axis=1)
    assert np.abs(omega - ref_omega).max() < 1e-10
    np.testing.assert_allclose(kt, ref.kT_eff.values, rtol=1e-10)
    np.testing.assert_allclose(b_nc @ p.vector("that"), ref.E_DMself.values, rtol=1e-10,
                               atol=1e-10 * np.abs(ref.E_DMself.values).max())
    assert np.abs(b_nc - np.outer(b_nc @ p.vector("that"), p.vector("that"))).max() < 1e-12
    ds = JD.junction_sweep(J.from_dimer(p), V, free=(2,), pinned={1: p.vector("m1")},
                           bare=JS.OneSpin.from_params(p))
    got = np.stack([ds[f"Omega_{x}"].values for x in "xyz"], axis=1)
    assert np.abs(got - ref_omega).max() < (1e-9 if T > 0 else 1e-5)
    np.testing.assert_allclose(ds.I_L.values, sweeps.current_sweep(p, V).I.values, rtol=1e-6)


def test_polarised_leads_are_kept_whole_and_obey_fluctuation_dissipation_at_zero_bias():
    """stm-polarised (tip p = 0.5 along z, not along that = x), site 2 free between pinned 1 and 3, V = 0 and
    4 mV, T = 6 K: the blocks are the tensors themselves (the W/t̂⊗t̂ form does not hold, nothing is
    projected away but χ_22^(i)·1), and at V = 0 the noise is 2k_BT·ħS·sym(α) and k_B T_eff = k_B T."""
    junction = J.preset("stm-polarised", T=6.0)
    pinned = {1: (0.0, 0.6, 0.8), 3: (1.0, 0.0, 0.0)}
    spins = JS.spin_model(junction, [0.0, 4.0], free=(2,), pinned=pinned)
    ds = J.point(junction)
    assert J.form_residual(ds) > 1e-3
    ds2 = (junction.Delta * junction.S) ** 2
    chi, s = ds.chi.values, ds.spin.values
    g = junction.Delta * junction.S * s[1] + ds2 * (chi[1, 0] @ pinned[1] + chi[1, 2] @ pinned[3])
    assert np.abs(spins.g[0] - g).max() < 1e-12 * np.abs(g).max()
    iso = 0.5 * (np.trace(chi[1, 1]) - chi[1, 1, 0, 0])  # that = x
    np.testing.assert_allclose(spins.X[0], ds2 * (chi[1, 1] - iso * np.eye(3)), rtol=0, atol=1e-12 * ds2)
    alpha = spins.alpha[0]
    fdt = 2 * K_B * junction.T * HBAR * junction.S * 0.5 * (alpha + alpha.T)
    assert np.abs(spins.noise[0] - fdt).max() < 1e-10 * np.abs(fdt).max()
    assert spins.kt[0, 0] == pytest.approx(K_B * junction.T, rel=1e-10)
    assert abs(spins.kt[1, 0] - K_B * junction.T) > 1e-3 * K_B * junction.T  # out of equilibrium it is not T


def chain3_energy(junction, h, k_easy):
    """E(m_1, m_2, m_3) of chain3 at its bias, written from the junction's tensors alone: the bare terms
    −h·m_a − K_easy (m_a·z)², the spin density −ΔS⟨s_a⟩·m_a and −½(ΔS)² Σ_ab m_a·χ_ab·m_b with the 9×9 matrix
    χ symmetrised (it is symmetric at V = 0: its antisymmetric 3×3 parts are the DM couplings, D_ba = −D_ab)."""
    ds = J.point(junction)
    big = ds.chi.values.transpose(0, 2, 1, 3).reshape(9, 9)
    assert np.abs(big - big.T).max() < 1e-12 * np.abs(big).max()
    sym = 0.5 * (big + big.T)
    ds_ = junction.Delta * junction.S
    s = ds.spin.values

    def energy(m):
        flat = m.reshape(m.shape[0], 9)
        e = -0.5 * ds_ ** 2 * np.einsum("ci,ij,cj->c", flat, sym, flat)
        e -= ds_ * np.einsum("ai,cai->c", s, m) + np.einsum("i,cai->c", np.asarray(h), m)
        return e - k_easy * (m[..., 2] ** 2).sum(axis=1)

    return energy


def test_three_free_spins_at_zero_bias_sample_boltzmann():
    """chain3 at V = 0, T = 10 K (k_B T = 0.86 meV; Δ²J_12 = −1.76, Δ²J_13 = +0.49 meV: ⟨m_1·m_2⟩ = −0.584,
    ⟨m_1·m_3⟩ = +0.449), all three spins free with a common field h = 0.5 meV along z and K_easy = 0.3 meV
    along z (⟨m_1⟩_z = 0.181, ⟨m_2⟩_z = −0.056).

    Langevin (``junction_sweep``, 32 trajectories, the planned dt = 1.5e-3 ps and burn-in 54 ps, a quarter of the
    planned averaging time: 136 ps) against Metropolis (1000 chains × 1500 sweeps, tests/spin_mc.py) of
    exp(−E/k_B T) with E from the tensors (:func:`chain3_energy`).  Tolerance: 4 combined standard errors
    (Langevin ≈ 0.009 on the dot products, 0.02 on ⟨m_a⟩; Metropolis ≈ 0.001).  The same sampler at 2T gives
    ⟨m_1·m_2⟩ = −0.339 and at T/2 −0.794, > 20 combined errors away (asserted: > 10): a factor 2 in T fails.
    About 25 s on one core.
    """
    T, h, k_easy = 10.0, (0.0, 0.0, 0.5), 0.3
    junction = J.preset("chain3", T=T)
    bare = JS.OneSpin(h=h, K_easy=k_easy, e_easy=(0.0, 0.0, 1.0))
    spins = JS.spin_model(junction, [0.0], free=(1, 2, 3), bare=bare)
    assert np.allclose(spins.kt, K_B * T, rtol=1e-10)
    dt, (n_burn, n_avg) = JD.time_plan(spins, junction.that)
    ds = JD.junction_sweep(junction, [0.0], free=(1, 2, 3), bare=bare, method="langevin", n_realizations=32,
                           seed=2, dt=dt, t_burn=n_burn * dt, t_average=0.25 * n_avg * dt)
    energy = chain3_energy(junction, h, k_easy)
    mc, mc_err = metropolis(energy, 3, K_B * T, n_chains=1000, n_sweeps=1500, seed=1)
    checks = [(f"m{a + 1}_dot_m{b + 1}", ("dot", a, b), None) for a, b in ((0, 1), (0, 2), (1, 2))]
    checks += [(f"m{a + 1}_{x}", ("m", a), i) for a in range(3) for i, x in enumerate("xyz")]
    for key, mc_key, i in checks:
        ref, ref_err = (mc[mc_key], mc_err[mc_key]) if i is None else (mc[mc_key][i], mc_err[mc_key][i])
        got, got_err = float(ds[key][0]), float(ds[f"{key}_err"][0])
        assert abs(got - ref) < 4 * np.hypot(got_err, ref_err), (key, got, got_err, ref, ref_err)
    assert mc[("dot", 0, 1)] < -0.4 and mc[("dot", 0, 2)] > 0.3 and mc[("m", 0)][2] > 0.1
    got, got_err = float(ds.m1_dot_m2[0]), float(ds.m1_dot_m2_err[0])
    for factor in (2.0, 0.5):
        wrong, wrong_err = metropolis(energy, 3, factor * K_B * T, n_chains=500, n_sweeps=600, seed=3)
        assert abs(wrong[("dot", 0, 1)] - got) > 10 * np.hypot(got_err, wrong_err[("dot", 0, 1)]), factor


@pytest.mark.parametrize("kwargs, expected", [
    (dict(free=(4,)), "free"),
    (dict(free=(1, 1)), "free"),
    (dict(free=(1,), pinned={1: (0, 0, 1)}), "pinned site"),
    (dict(free=(1,), pinned={2: (0, 0, 0)}), "zero length"),
    (dict(free=(1,), pinned={"two": (0, 0, 1)}), "pinned"),
    (dict(free=(1,), terms="some"), "terms"),
    (dict(free=(1,), bare=[JS.OneSpin()] * 2), "bare"),
])
def test_bad_input_names_the_argument(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        JS.spin_model(J.preset("chain3"), [0.0], **kwargs)


def test_bad_sweep_input_names_the_argument():
    with pytest.raises(ValueError, match="one free site"):
        JD.junction_sweep(J.preset("chain3"), [0.0], free=(1, 2), method="fp")
    with pytest.raises(ValueError, match="method"):
        JD.junction_sweep(J.preset("chain3"), [0.0], free=(1,), method="mc")
    with pytest.raises(ValueError, match="K_easy"):
        JS.OneSpin(K_easy=-1.0)
    with pytest.raises(ValueError, match="V = "):
        JS.spin_model(J.preset("chain3"), [200.0], free=(1,))
