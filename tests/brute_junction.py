"""Brute-force route to a junction's responses, sharing no code with ``dimer_core`` (tests/test_junction_brute.py).

A model is a plain dict (``random_model`` makes one):

    eps     [N] site levels (meV)
    bonds   [(a, b, t0, t)] with 0-based sites; block (a, b) of H is −(t0 + t·that·tau)
    that    SOC axis (unit 3-vector)
    leads   [dict(te, v, eta, p, n)]: v the N hoppings of the chain's surface site to the sites
    mu_F, V, T

Everything is literal (docs/physics.md, "Electron spin response"): G^R = [e − H − Σ]⁻¹ by ``numpy.linalg.inv``
at every energy, with Σ_c = g_c(e)·(v vᵀ) ⊗ (1 + p n·tau) and g from the complex square roots
g(z) = (z − sqrt(z − 2te)·sqrt(z + 2te))/(2te²) at z = e + i0; G^< = G^R Σ^< G^A with
Σ^< = iΣ_c f_c Γ_c, G^> = G^R Σ^> G^A; the 3×3 spin traces written out with the Pauli matrices;
∂_E Im χ by differentiating χ(E) of the definition under the integral (only G^R(e + E) and G^A(e − E)
depend on E; dG^R/de = −G^R(1 − dΣ/de)G^R with dg/de from the same complex square roots), i.e. as a Fermi-sea
integral, not the engine's Fermi-surface form for its symmetric part (central differences in E were tried
first: a resonance 3.5e-3 meV wide in one random model made their O(δ⁴) error 1 % at δ = 2e-3); the current by Meir–Wingreen,
I_c = (ie/h)∫ Tr[Γ_c(G^< + f_c(G^R − G^A))].  Energy integrals: :func:`scipy.integrate.quad_vec`
(adaptive Gauss–Kronrod) on each interval between band edges, in the angle e = c − h·cos θ, with the
chemical potentials as break points; each family of outputs is scaled by its
size from a coarse first pass, so one tolerance holds for all.
"""
import numpy as np
from scipy.integrate import quad_vec

HBAR = 0.6582119569  # meV ps
K_B = 0.08617333262  # meV/K
E_OVER_H = 38.7405  # nA/meV
TAU = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)


def random_model(rng, n_sites, n_leads=2, polarised=False, T=0.0):
    """A random junction dict with N sites, modest bands (te 10–20 meV) and contacts of 2–4 meV."""
    eps = list(rng.uniform(-2.0, 2.0, n_sites))
    pairs = [(a, a + 1) for a in range(n_sites - 1)]
    others = [(a, b) for a in range(n_sites) for b in range(a + 2, n_sites)]
    rng.shuffle(others)
    pairs += others[:2]
    bonds = [(a, b, rng.uniform(0.8, 2.5) * rng.choice([-1, 1]), rng.uniform(-1.0, 1.0)) for a, b in pairs]
    that = rng.normal(size=3)
    leads = []
    etas = [0.5, -0.5, 0.2, -0.3][:n_leads]
    for k in range(n_leads):
        v = np.zeros(n_sites)
        touched = rng.choice(n_sites, size=1 + (k == 1), replace=False)
        v[touched] = rng.uniform(2.0, 4.0, touched.size)
        n = rng.normal(size=3)
        leads.append(dict(te=float(rng.uniform(10.0, 20.0)), v=v, eta=etas[k],
                          p=float(rng.uniform(0.2, 0.7)) if polarised and k == 0 else 0.0, n=n / np.linalg.norm(n)))
    return dict(eps=eps, bonds=bonds, that=that / np.linalg.norm(that), leads=leads,
                mu_F=float(rng.uniform(-1.0, 1.0)), V=float(rng.uniform(-3.0, 3.0)), T=T)


def g_surface(e, te):
    """Retarded surface Green's function of a chain at real e (+ i0)."""
    z1 = np.sqrt(complex(e - 2.0 * te, 0.0))
    z2 = np.sqrt(complex(e + 2.0 * te, 0.0))
    return (e - z1 * z2) / (2.0 * te * te)


def g_slope(e, te):
    """dg/de = (1 − z/(sqrt(z − 2te)·sqrt(z + 2te)))/(2te²) at z = e + i0."""
    z1 = np.sqrt(complex(e - 2.0 * te, 0.0))
    z2 = np.sqrt(complex(e + 2.0 * te, 0.0))
    return (1.0 - e / (z1 * z2)) / (2.0 * te * te)


def hamiltonian(m):
    n = len(m["eps"])
    h = np.zeros((2 * n, 2 * n), dtype=complex)
    st = np.einsum("i,ijk->jk", m["that"], TAU)
    for a, e in enumerate(m["eps"]):
        h[2 * a, 2 * a] = h[2 * a + 1, 2 * a + 1] = e
    for a, b, t0, t in m["bonds"]:
        blk = t0 * np.eye(2) + t * st
        h[2 * a:2 * a + 2, 2 * b:2 * b + 2] += -blk
        h[2 * b:2 * b + 2, 2 * a:2 * a + 2] += -blk.conj().T
    return h


def _couplings(m):
    out = []
    for lead in m["leads"]:
        pol = np.eye(2) + lead["p"] * np.einsum("i,ijk->jk", lead["n"], TAU)
        out.append(np.kron(np.outer(lead["v"], lead["v"]), pol))
    return out


def fermi(e, mu, T):
    if T == 0.0:
        return 1.0 if e < mu else (0.0 if e > mu else 0.5)
    x = (e - mu) / (K_B * T)
    return 0.5 * (1.0 - np.tanh(0.5 * x))


class Point:
    """Green's functions of the model ``m`` at one energy."""

    def __init__(self, m, e):
        h = hamiltonian(m)
        cps = _couplings(m)
        sig = [g_surface(e, lead["te"]) * cp for lead, cp in zip(m["leads"], cps)]
        dsig = [g_slope(e, lead["te"]) * cp for lead, cp in zip(m["leads"], cps)]
        self.gr = np.linalg.inv(e * np.eye(h.shape[0]) - h - sum(sig))
        self.ga = self.gr.conj().T
        self.dgr = -self.gr @ (np.eye(h.shape[0]) - sum(dsig)) @ self.gr  # d/de of [e − H − Σ(e)]⁻¹
        self.dga = self.dgr.conj().T
        self.gam = [1j * (s - s.conj().T) for s in sig]
        mus = [m["mu_F"] + lead["eta"] * m["V"] for lead in m["leads"]]
        self.f = [fermi(e, mu, m["T"]) for mu in mus]
        sl = 1j * sum(f * g for f, g in zip(self.f, self.gam))
        sg = -1j * sum((1.0 - f) * g for f, g in zip(self.f, self.gam))
        self.gl = self.gr @ sl @ self.ga
        self.gg = self.gr @ sg @ self.ga


def _block(x, a, b):
    return x[2 * a:2 * a + 2, 2 * b:2 * b + 2]


def _traces(x, y, n):
    """Tr[τ^i X_ab τ^j Y_ba] for all a, b, i, j → (n, n, 3, 3)."""
    xb = x.reshape(n, 2, n, 2).transpose(0, 2, 1, 3)  # [a, b, s, t] = (X_ab)_st
    yb = y.reshape(n, 2, n, 2).transpose(0, 2, 1, 3)
    left = np.einsum("irs,abst->abirt", TAU, xb)  # τ^i X_ab
    right = np.einsum("jtu,baur->abjtr", TAU, yb)  # τ^j Y_ba
    return np.einsum("abirt,abjtr->abij", left, right)


def _chi_integrand(m, e, E, at_e=None):
    """(i/4)(1/2π)·{Tr[τ^i G^R_ab(e+E) τ^j G^<_ba(e)] + Tr[τ^i G^<_ab(e) τ^j G^A_ba(e − E)]}."""
    n = len(m["eps"])
    p0 = at_e or Point(m, e)
    plus, minus = (p0, p0) if E == 0.0 else (Point(m, e + E), Point(m, e - E))
    return 0.25j / (2 * np.pi) * (_traces(plus.gr, p0.gl, n) + _traces(p0.gl, minus.ga, n))


def _families(m, e):
    n = len(m["eps"])
    p = Point(m, e)
    chi = _chi_integrand(m, e, 0.0, p)

    # ∂_E of χ(E) under the integral: only G^R(e + E) and G^A(e − E) depend on E
    dchi = 0.25j / (2 * np.pi) * (_traces(p.dgr, p.gl, n) - _traces(p.gl, p.dga, n))
    noise = HBAR / 8.0 / (2 * np.pi) * (_traces(p.gg, p.gl, n) + _traces(p.gl, p.gg, n))
    spin = np.array([[(-0.5j / (2 * np.pi) * np.trace(TAU[i] @ _block(p.gl, a, a))) for i in range(3)]
                     for a in range(n)])
    cur = np.array([E_OVER_H * 1j * np.trace(g @ (p.gl + f * (p.gr - p.ga))) for f, g in zip(p.f, p.gam)])
    return dict(chi=chi.real, dchi=dchi.imag, noise=noise.real, spin=spin.real, current=cur.real,
                chi_imag=chi.imag, noise_imag=noise.imag)


FAMILIES = ("chi", "dchi", "noise", "spin", "current", "chi_imag", "noise_imag")


def _integrate(m, scales, epsrel):
    shapes = {}

    def func(theta, c, h):
        e = c - h * np.cos(theta)
        fam = _families(m, e)
        for k in FAMILIES:
            shapes[k] = fam[k].shape
        return h * np.sin(theta) * np.concatenate([fam[k].ravel() / scales[k] for k in FAMILIES])

    edges = sorted({s * 2.0 * lead["te"] for lead in m["leads"] for s in (-1, 1)})
    mus = [m["mu_F"] + lead["eta"] * m["V"] for lead in m["leads"]]
    special = list(mus)
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        pts = sorted({float(np.arccos((c - x) / h)) for x in special if a < x < b})
        res, _ = quad_vec(lambda th: func(th, c, h), 0.0, np.pi, epsabs=1e-3 * epsrel, epsrel=epsrel, norm="max",
                          points=pts or None, limit=20000)
        total = total + res
    out, k0 = {}, 0
    for k in FAMILIES:
        size = int(np.prod(shapes[k]))
        out[k] = total[k0:k0 + size].reshape(shapes[k]) * scales[k]
        k0 += size
    return out


def responses(m, epsrel=1e-9):
    """chi, dchi, noise (N, N, 3, 3), spin (N, 3), current (M,) of the model (real), plus the dropped
    imaginary parts chi_imag, noise_imag.  Two passes: a coarse one for each family's size, then ``epsrel``."""
    ones = {k: 1.0 for k in FAMILIES}
    coarse = _integrate(m, ones, 1e-4)
    scales = {k: max(float(np.abs(coarse[k]).max()), 1e-30) for k in FAMILIES}
    scales["chi_imag"], scales["noise_imag"] = scales["chi"], scales["noise"]
    return _integrate(m, scales, epsrel)
