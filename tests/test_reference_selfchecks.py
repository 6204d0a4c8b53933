"""Self-checks of the brute-force reference (tests/reference.py).

These tests need nothing from ``dimer_core``.  They establish that the
reference itself is right, by routes independent of each other:

- the paper's closed forms (A10)–(A15) against direct 4×4 inversion;
- the Kubo bubble chi(0) against exact steady states in a static field;
- the fluctuation–dissipation theorem at V = 0, T > 0 (noise against damping);
- a single spin-degenerate level, where chi(0) is a scalar integral and tends
  to the Pauli value rho(mu)/2 in the wide-band limit;
- the Landauer current against the Meir–Wingreen form built from G^<;
- the spin-rotation symmetry (tensor form, independence of the direction of that);
- the symmetries the paper states for a symmetric junction;
- convergence: adaptive quadrature against tighter tolerances, against
  scipy.integrate.quad in the plain energy variable, and the finite-difference
  step of the damping.
"""
import numpy as np
import pytest
from scipy.integrate import quad

from . import reference as R

OBLIQUE = (1.0, 1.0, 1.0)

ASYM = dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=OBLIQUE)
"""Strong SOC, asymmetric contacts and levels, oblique SOC direction."""


def rel_err(a, b):
    """max|a − b| / max|b| over all components."""
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ---------------------------------------------------------------- Green's functions

@pytest.mark.parametrize("kw", [
    dict(t=0.1),
    dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=OBLIQUE),
    dict(t=0.7, t0=1.3, tL=4.0, tR=13.0, te=40.0, eps1=-1.1, eps2=2.4, that=(0.3, -0.5, 0.8)),
])
def test_closed_forms_equal_inversion(kw):
    """(a) G^R = G^(s)·1 + G^(t)·(that·tau) with G^(s,t) from (A10)–(A15), in and outside the band."""
    p = R.RefParams(**kw)
    for e in (-2.5 * p.te, -2 * p.te - 1e-3, -1.5 * p.te, -2.1, -1.9, -0.37, 0.0, 0.5, 1.95,
              2.05, 3.3, 2 * p.te - 1e-3, 2 * p.te + 1e-3, 3.0 * p.te):
        G = R.GR4(e, p)
        gs, gt, rest = R.singlet_triplet(G, p.that)
        cs, ct = R.paper_closed_forms(e, p)
        scale = np.max(np.abs(G))
        assert np.max(np.abs(rest)) < 1e-13 * scale
        assert np.max(np.abs(gs - cs)) < 1e-12 * scale, e
        assert np.max(np.abs(gt - ct)) < 1e-12 * scale, e


def test_lesser_greater_structure():
    """G^< and G^> are anti-Hermitian, conserve spin along that, and G^> − G^< = G^R − G^A."""
    p = R.RefParams(**ASYM, mu_F=0.7, V=3.1, T=10.0)
    for e in (-3.0, -1.0, 0.2, 1.4, 2.2, 7.0):
        gr = R.GR4(e, p)
        lesser, greater = R.lesser_greater(e, p)
        scale = np.max(np.abs(gr))
        assert np.max(np.abs(lesser + lesser.conj().T)) < 1e-13 * scale
        assert np.max(np.abs(greater - lesser - (gr - gr.conj().T))) < 1e-13 * scale
        assert np.max(np.abs(R.singlet_triplet(lesser, p.that)[2])) < 1e-13 * scale


def test_surface_gf_continuity_and_sign():
    """g(e) is continuous at the band edges, Im g < 0 inside, and t_e² g² − e g + 1 = 0."""
    te = 100.0
    for e in (-250.0, -200.0 - 1e-9, -150.0, 0.0, 37.0, 200.0 - 1e-9, 200.0 + 1e-9, 400.0):
        g = R.lead_surface_gf(e, te)
        assert abs(te ** 2 * g ** 2 - e * g + 1) < 1e-12
        assert g.imag <= 0
    assert abs(R.lead_surface_gf(200.0 - 1e-10, te) - R.lead_surface_gf(200.0 + 1e-10, te)) < 1e-6


# ---------------------------------------------------------------- chi(0): bubble vs finite field

@pytest.mark.parametrize("kw", [
    dict(ASYM, mu_F=0.7, V=3.1, T=10.0),
    dict(t=0.1, tL=10.0, tR=6.0, mu_F=-1.3, V=-4.2, T=0.0),
])
def test_finite_field_equals_bubble(kw):
    """(b) d<s_a>/d f_b from exact steady states in a static field equals the bubble chi_ab(0)."""
    p = R.RefParams(**kw)
    bubble = R.chi(p, 0.0)
    assert np.max(np.abs(bubble.imag)) < 1e-10 * np.max(np.abs(bubble))
    for b in (1, 2):
        ff = R.chi_finite_field(p, b)
        assert rel_err(ff, bubble[:, b - 1].real) < 1e-5
        for a in (1, 2):
            pf = R.projections(ff[a - 1], p.that)
            pb = R.projections(bubble[a - 1, b - 1].real, p.that)
            for x in ("i", "DM", "an"):
                assert abs(pf[x] - pb[x]) < 1e-6 * abs(pb["i"]) + 1e-5 * abs(pb[x]), (a, b, x)


def test_chi_reality_and_parity():
    """chi(t) is real: chi(−E) = chi(E)*, so Re chi is even and Im chi odd in E."""
    p = R.RefParams(**ASYM, mu_F=-1.3, V=-4.2, T=0.0)
    plus, minus = R.chi(p, 0.05), R.chi(p, -0.05)
    assert rel_err(minus, plus.conj()) < 1e-9
    assert np.max(np.abs(plus.imag)) > 1e-3 * np.max(np.abs(plus.real))


# ---------------------------------------------------------------- fluctuation-dissipation

def test_fluctuation_dissipation():
    """(c) V = 0, T = 5 K: C_ab^ij = 2 k_B T hbar ∂_E [chi_ab^ij − (chi_ba^ji)*]/(2i) for all a, b, i, j.

    For site 2 this is S² C^(i,an)_22 = 2 k_B T hbar S a^(i,an)_22, so T_eff_2 = T.
    """
    T = 5.0
    p = R.RefParams(**ASYM, mu_F=0.7, V=0.0, T=T)
    C = R.noise(p)
    d = R.dchi_dE(p)
    dissipative = (d - np.conj(np.transpose(d, (1, 0, 3, 2)))) / 2j
    kT = R.K_B * T
    assert np.max(np.abs(dissipative.imag)) < 1e-9 * np.max(np.abs(dissipative))
    assert rel_err(C, 2 * kT * R.HBAR * dissipative.real) < 1e-6

    c = R.couplings(p)
    for x in ("i", "an"):
        assert abs(c[f"j_{x}_22"] - 2 * kT * R.HBAR * p.S * c[f"a_{x}_22"]) < 1e-6 * abs(c["j_i_22"])
    assert c["T_eff_2"] == pytest.approx(T, rel=1e-6)
    assert abs(c["j_DM_22"]) < 1e-12 * abs(c["j_i_22"])


def test_noise_vanishes_at_zero_bias_and_temperature():
    """At V = 0, T = 0 every G^> G^< product carries f(1 − f) = 0."""
    p = R.RefParams(**ASYM, mu_F=0.7, V=0.0, T=0.0)
    assert np.max(np.abs(R.noise(p))) < 1e-14


# ---------------------------------------------------------------- single level

def _single_level_chi_zz(p):
    """½ ∫ (de/π) f_R(e) Im[G_22(e)²] with the scalar G_22 = 1/(e − eps2 − tR² g(e)) (scipy.quad)."""
    def integrand(e):
        g22 = 1.0 / (e - p.eps2 - p.tR ** 2 * R.lead_surface_gf(e, p.te))
        return R.fermi(e, p.mu_R, p.T) * (g22 ** 2).imag / (2 * np.pi)

    band = 2 * p.te
    top = p.mu_R if p.T == 0 else band
    pts = [p.eps2 + k for k in (-10, -3, -1, 0, 1, 3, 10)] + [p.mu_R]
    pts = sorted(x for x in pts if -band < x < top)
    val, err = quad(integrand, -band, top, points=pts, limit=500, epsabs=1e-14, epsrel=1e-12)
    return val


@pytest.mark.parametrize("kw", [
    dict(mu_F=0.0, V=0.0, T=0.0, eps2=0.3),
    dict(mu_F=0.5, V=1.4, T=0.0, eps2=-0.4, tR=7.0),
    dict(mu_F=-0.6, V=-2.0, T=12.0, eps2=0.2),
])
def test_single_level_exact(kw):
    """(d) t0 = t = 0: chi_22 = chi^zz·1 with chi^zz(0) = ½ ∫ (de/π) f(e) Im[G^R_22(e)²]."""
    p = R.RefParams(t=0.0, t0=0.0, that=OBLIQUE, **kw)
    c22 = R.chi(p, 0.0)[1, 1]
    exact = _single_level_chi_zz(p)
    assert exact > 0
    assert rel_err(c22.real, exact * np.eye(3)) < 1e-9
    assert np.max(np.abs(c22.imag)) < 1e-12


def test_single_level_wide_band_pauli():
    """(d) Wide-band limit (t_e → ∞ at fixed Gamma = 2 tR²/te = 2 meV): chi^zz(0) → rho(mu)/2."""
    te, gamma, eps2, mu = 1e5, 2.0, 0.3, -0.45
    p = R.RefParams(t=0.0, t0=0.0, te=te, tR=np.sqrt(gamma * te / 2), eps2=eps2, mu_F=mu)
    rho = (gamma / 2) / np.pi / ((mu - eps2) ** 2 + (gamma / 2) ** 2)
    assert R.chi(p, 0.0)[1, 1, 2, 2].real == pytest.approx(rho / 2, rel=1e-4)


# ---------------------------------------------------------------- current

def test_current_landauer_equals_meir_wingreen():
    """I from the transmission equals (e/h) ∫ Tr_site1{Gamma_1 [f_L A − (−i G^<)]} (current out of the left lead)."""
    p = R.RefParams(**ASYM, mu_F=0.7, V=3.1, T=10.0)

    def mw(e):
        gr = R.GR4(e, p)
        lesser, _ = R.lesser_greater(e, p, gr=gr)
        spectral = 1j * (gr - gr.conj().T)
        gam1 = -2.0 * p.tL ** 2 * R.lead_surface_gf(e, p.te).imag
        return gam1 * np.trace(R.fermi(e, p.mu_L, p.T) * spectral[:2, :2] + 1j * lesser[:2, :2])

    meir_wingreen = R.E_OVER_H * R.integrate_band(mw, p).real
    assert R.current(p) == pytest.approx(meir_wingreen, rel=1e-9)
    assert R.current(p) > 0


def test_linear_conductance():
    """T = 0, V → 0: I/V → (e/h)·Tr[Gamma_1 G^R_12 Gamma_2 G^A_21](mu_F)."""
    p = R.RefParams(**ASYM, mu_F=0.7, V=1e-4)
    gr = R.GR4(p.mu_F, p)
    gam = -2.0 * R.lead_surface_gf(p.mu_F, p.te).imag
    g12 = gr[:2, 2:]
    trans = (p.tL * p.tR * gam) ** 2 * np.trace(g12 @ g12.conj().T).real
    assert R.current(p) / p.V == pytest.approx(R.E_OVER_H * trans, rel=1e-6)


# ---------------------------------------------------------------- spin-rotation symmetry

def test_tensor_form_is_exact():
    """chi_ab(0), ∂_E chi_ab and C_ab are exactly iso·1 + DM·W + an·that⊗that (oblique that)."""
    p = R.RefParams(**ASYM, mu_F=-1.3, V=-4.2, T=10.0)
    for M in (R.chi(p, 0.0).real, R.dchi_dE(p).imag, R.noise(p)):
        for a in range(2):
            for b in range(2):
                pr = R.projections(M[a, b], p.that)
                rebuilt = R.tensor_from_projections(pr["i"], pr["DM"], pr["an"], p.that)
                assert np.max(np.abs(M[a, b] - rebuilt)) < 1e-10 * np.max(np.abs(M))


def test_couplings_independent_of_soc_direction():
    """The electrons are spin-isotropic apart from that, so every named coupling is the same for that = x and oblique."""
    kw = dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, mu_F=0.7, V=3.1, T=0.0)
    px = R.RefParams(**kw, that=(1.0, 0.0, 0.0))
    cx = R.couplings(px)
    co = R.couplings(px.replace(that=OBLIQUE))
    for k, v in cx.items():
        assert abs(co[k] - v) <= 1e-8 * max(abs(v), 1e-3 * R.family_scale(cx, k, px.S)), k


def test_symmetric_junction_dmi():
    """Symmetric junction (paper fact 1): D_2 = −D_1, D_2(−V) = −D_2(V), D = 0 at V = 0 (any mu_F, T)."""
    base = dict(t=1.0, mu_F=0.7, T=10.0)
    plus = R.couplings(R.RefParams(**base, V=3.1))
    minus = R.couplings(R.RefParams(**base, V=-3.1))
    zero = R.couplings(R.RefParams(**base, V=0.0))
    assert abs(plus["D_2"]) > 1e-3 * abs(plus["J_2"])
    assert plus["D_1"] == pytest.approx(-plus["D_2"], rel=1e-8)
    assert minus["D_2"] == pytest.approx(-plus["D_2"], rel=1e-8)
    assert abs(zero["D_2"]) < 1e-10 * abs(zero["J_2"])
    assert abs(zero["D_1"]) < 1e-10 * abs(zero["J_2"])


def test_antiferromagnetic_window():
    """Paper fact 2 (weak SOC): J_2 < 0 for |mu_R| < t0 − t, J_2 > 0 well outside."""
    inside = R.couplings(R.RefParams(t=0.1, mu_F=0.0, V=1.0))
    outside = R.couplings(R.RefParams(t=0.1, mu_F=3.5, V=1.0))
    assert inside["J_2"] < 0 < outside["J_2"]


# ---------------------------------------------------------------- convergence

def test_quadrature_tolerance_converged(monkeypatch):
    """Tightening the adaptive tolerances by 10× changes no coupling beyond 1e-9 of its family's scale."""
    p = R.RefParams(**ASYM, mu_F=-1.3, V=-4.2, T=0.0)
    coarse = R.couplings(p)
    monkeypatch.setattr(R, "EPSABS", R.EPSABS / 10)
    monkeypatch.setattr(R, "EPSREL", R.EPSREL / 10)
    fine = R.couplings(p)
    for k, v in coarse.items():
        assert abs(v - fine[k]) < 1e-9 * max(abs(fine[k]), R.family_scale(fine, k, p.S)), k


def test_quadrature_against_plain_quad():
    """The theta-substituted quad_vec integrals equal scipy.integrate.quad in the plain energy variable."""
    p = R.RefParams(**ASYM, mu_F=0.7, V=3.1, T=0.0)
    band = 2 * p.te
    pts = sorted(set(list(np.linalg.eigvalsh(R.hamiltonian(p))) + [p.mu_L, p.mu_R]))

    def component(E, a, b, i, j, part):
        return lambda e: getattr(R._chi_integrand(e, p, E)[a, b, i, j], part)

    checks = [
        (R.chi(p, 0.0).real[1, 0, 1, 2], component(0.0, 1, 0, 1, 2, "real")),
        (R.chi(p, 0.0).real[1, 1, 0, 0], component(0.0, 1, 1, 0, 0, "real")),
        (R.chi(p, 0.2).imag[1, 1, 0, 0], component(0.2, 1, 1, 0, 0, "imag")),
    ]
    for ref, integrand in checks:
        val, err = quad(integrand, -band, band, points=pts, limit=500, epsabs=1e-14, epsrel=1e-12)
        assert ref == pytest.approx(val, rel=1e-9, abs=1e-13)


def test_damping_step_converged():
    """The symmetric difference quotient of chi(E) converges as delta²: the default delta = 1e-4 meV is good to 1e-7.

    (Observed here: 1.2e-6 at delta = 1e-3, 1e-7 at 3e-4, 1e-8 at 1e-4 relative to delta → 0.)
    """
    p = R.RefParams(**ASYM, mu_F=0.7, V=3.1, T=0.0)
    default = R.dchi_dE(p).imag
    assert rel_err(R.dchi_dE(p, 1e-3).imag, default) < 3e-6
    assert rel_err(R.dchi_dE(p, 3e-5).imag, default) < 1e-7
