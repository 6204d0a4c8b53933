"""Brute-force reference implementation of the dimer physics (docs/physics.md).

This module is an independent, deliberately slow route to every number the
project's engine (``dimer_core``) prints.  It imports nothing from
``dimer_core``: the device Green's function is a plain 4×4 NumPy matrix in the
basis (1↑, 1↓, 2↑, 2↓), inverted with :func:`numpy.linalg.inv` at every energy,
and every energy integral is done by adaptive Gauss–Kronrod quadrature
(:func:`scipy.integrate.quad_vec`) over the lead band, after the substitution
``e = −2 t_e cos(theta)`` that removes the square-root behaviour of the lead
density of states at the band edges.

Units: energies meV, bias mV, temperature K, time ps, current nA.

API
---
:class:`RefParams`             parameter set (plain dataclass)
:func:`lead_surface_gf`         g(e) of a semi-infinite chain
:func:`hamiltonian`             4×4 device Hamiltonian, optionally with static exchange fields
:func:`GR4`                     retarded Green's function by direct inversion
:func:`lesser_greater`          G^<, G^> of the steady state
:func:`singlet_triplet`         G = G^(s)·1 + G^(t)·(that·tau) decomposition
:func:`paper_closed_forms`      the paper's Eqs. (A10)–(A15)
:func:`spin_density`            <s_a>^i
:func:`chi`                     chi_ab^ij(E), bubble, energy form
:func:`dchi_dE`                 d chi_ab^ij / dE at E = 0 by a symmetric finite difference
:func:`chi_finite_field`        chi_ab^ij(0) = d<s_a^i>/d f_b^j by central differences in a static field
:func:`noise`                   symmetrized zero-frequency noise C_ab^ij
:func:`current`                 charge current I
:func:`projections`             M^(i), M^(DM), M^(an) of a 3×3 tensor
:func:`couplings`               every named coupling (docs/physics.md, "Named couplings") at one point
"""
import dataclasses

import numpy as np
from scipy.integrate import quad_vec
from scipy.special import expit

HBAR = 0.6582119569
"""Reduced Planck constant [meV·ps]."""
K_B = 0.08617333262
"""Boltzmann constant [meV/K]."""
E_OVER_H = 38.7405
"""e/h [nA/meV]."""

PAULI = np.array([[[0, 1], [1, 0]],
                  [[0, -1j], [1j, 0]],
                  [[1, 0], [0, -1]]], dtype=complex)
"""Pauli matrices tau^x, tau^y, tau^z, shape (3, 2, 2)."""

EPSABS = 1e-13
"""Absolute tolerance of every energy integral (max-norm over all components)."""
EPSREL = 1e-11
"""Relative tolerance of every energy integral."""


@dataclasses.dataclass(frozen=True)
class RefParams:
    """Parameters of the dimer model (docs/physics.md, "Electronic model").

    Attributes
    ----------
    t, t0 : float
        Spin-orbit and spin-independent inter-site hoppings [meV].
    tL, tR : float
        Left-lead–site-1 and right-lead–site-2 hoppings [meV].
    te : float
        Hopping inside the leads [meV]; band |e| < 2 te.
    eps1, eps2 : float
        On-site energies [meV].
    that : tuple of float
        Spin-orbit direction (normalised on construction).
    mu_F : float
        Equilibrium chemical potential [meV].
    V : float
        Bias [mV]; mu_L = mu_F + V/2, mu_R = mu_F − V/2.
    T : float
        Temperature of both leads [K].
    S : float
        Length of each localized spin [dimensionless].
    """

    t: float = 0.1
    t0: float = 2.0
    tL: float = 10.0
    tR: float = 10.0
    te: float = 100.0
    eps1: float = 0.0
    eps2: float = 0.0
    that: tuple = (1.0, 0.0, 0.0)
    mu_F: float = 0.0
    V: float = 0.0
    T: float = 0.0
    S: float = 2.5

    def __post_init__(self):
        v = np.asarray(self.that, dtype=float)
        object.__setattr__(self, "that", tuple(v / np.linalg.norm(v)))

    @property
    def mu_L(self):
        """Left chemical potential mu_F + V/2 [meV]."""
        return self.mu_F + 0.5 * self.V

    @property
    def mu_R(self):
        """Right chemical potential mu_F − V/2 [meV]."""
        return self.mu_F - 0.5 * self.V

    def replace(self, **changes):
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------- Green's functions

def lead_surface_gf(e, te):
    """Surface Green's function of a semi-infinite chain with hopping ``te``.

    Parameters
    ----------
    e : float
        Energy [meV].
    te : float
        Lead hopping [meV].

    Returns
    -------
    complex
        ``(e − i sqrt(4 te² − e²)) / (2 te²)`` inside the band |e| < 2 te and
        ``(e − sign(e) sqrt(e² − 4 te²)) / (2 te²)`` outside [1/meV].
    """
    if abs(e) < 2.0 * te:
        return complex(e, -np.sqrt(4.0 * te * te - e * e)) / (2.0 * te * te)
    return (e - np.sign(e) * np.sqrt(e * e - 4.0 * te * te)) / (2.0 * te * te) + 0j


def hamiltonian(p, fields=None):
    """Device Hamiltonian ``[[eps1·1, −T], [−T†, eps2·1]]``, ``T = t0·1 + t·(that·tau)``.

    Parameters
    ----------
    p : RefParams
    fields : array_like, shape (2, 3), optional
        Static exchange fields f_a on sites a = 1, 2 [meV], entering as the
        perturbation −f_a·s_a = −(1/2) f_a·tau on site a's 2×2 block.

    Returns
    -------
    ndarray, shape (4, 4)
        Hermitian matrix [meV] in the basis (1↑, 1↓, 2↑, 2↓).
    """
    tt = np.einsum("i,ist->st", np.asarray(p.that), PAULI)
    hop = p.t0 * np.eye(2) + p.t * tt
    h = np.zeros((4, 4), dtype=complex)
    h[:2, :2] = p.eps1 * np.eye(2)
    h[2:, 2:] = p.eps2 * np.eye(2)
    h[:2, 2:] = -hop
    h[2:, :2] = -hop.conj().T
    if fields is not None:
        f = np.asarray(fields, dtype=float)
        for a in range(2):
            h[2 * a:2 * a + 2, 2 * a:2 * a + 2] -= 0.5 * np.einsum("i,ist->st", f[a], PAULI)
    return h


def self_energy(e, p):
    """Lead self-energy ``diag(tL² g, tL² g, tR² g, tR² g)`` [meV], shape (4, 4)."""
    g = lead_surface_gf(e, p.te)
    return np.diag([p.tL ** 2 * g, p.tL ** 2 * g, p.tR ** 2 * g, p.tR ** 2 * g])


def GR4(e, p, fields=None):
    """Retarded device Green's function ``[e − H_D − Sigma(e)]^-1`` [1/meV], shape (4, 4).

    Parameters
    ----------
    e : float
        Energy [meV], inside or outside the lead band.
    p : RefParams
    fields : array_like, shape (2, 3), optional
        Static exchange fields, see :func:`hamiltonian`.
    """
    return np.linalg.inv(e * np.eye(4) - hamiltonian(p, fields) - self_energy(e, p))


def fermi(e, mu, T):
    """Fermi function at energy ``e`` [meV], chemical potential ``mu`` [meV], ``T`` [K].

    At T = 0 it is a step (1/2 exactly at ``e == mu``).
    """
    if T == 0.0:
        return 1.0 if e < mu else (0.5 if e == mu else 0.0)
    return float(expit(-(e - mu) / (K_B * T)))


def lesser_greater(e, p, fields=None, gr=None):
    """Lesser and greater device Green's functions of the steady state [1/meV].

    ``G^< = i G^R (f_L Gamma_1 ⊕ f_R Gamma_2) G^A`` and
    ``G^> = −i G^R ((1−f_L) Gamma_1 ⊕ (1−f_R) Gamma_2) G^A``, with
    ``Gamma_a = −2 Im Sigma_a``.

    Parameters
    ----------
    e : float
        Energy [meV].
    p : RefParams
    fields : array_like, shape (2, 3), optional
        Static exchange fields, see :func:`hamiltonian`.
    gr : ndarray, shape (4, 4), optional
        ``GR4(e, p, fields)`` if already computed.

    Returns
    -------
    (ndarray, ndarray)
        G^<(e), G^>(e), each of shape (4, 4).
    """
    if gr is None:
        gr = GR4(e, p, fields)
    ga = gr.conj().T
    gam = -2.0 * lead_surface_gf(e, p.te).imag
    fl, fr = fermi(e, p.mu_L, p.T), fermi(e, p.mu_R, p.T)
    gl, gg = p.tL ** 2 * gam, p.tR ** 2 * gam
    lesser = 1j * gr @ np.diag([fl * gl, fl * gl, fr * gg, fr * gg]) @ ga
    greater = -1j * gr @ np.diag([(1 - fl) * gl, (1 - fl) * gl, (1 - fr) * gg, (1 - fr) * gg]) @ ga
    return lesser, greater


def singlet_triplet(G, that):
    """Decompose a 4×4 matrix as ``G_ab = G^(s)_ab·1 + G^(t)_ab·(that·tau) + R_ab``.

    Parameters
    ----------
    G : ndarray, shape (4, 4)
    that : array_like, shape (3,)
        Unit vector.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        ``Gs``, ``Gt`` of shape (2, 2) (site indices) and the remainder ``R``
        of shape (4, 4), which vanishes when spin along ``that`` is conserved.
    """
    tt = np.einsum("i,ist->st", np.asarray(that, dtype=float), PAULI)
    blocks = G.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3)  # (a, b, sigma, sigma')
    gs = 0.5 * np.einsum("abss->ab", blocks)
    gt = 0.5 * np.einsum("abst,ts->ab", blocks, tt)
    rebuilt = np.einsum("ab,st->asbt", gs, np.eye(2)) + np.einsum("ab,st->asbt", gt, tt)
    return gs, gt, G - rebuilt.reshape(4, 4)


def paper_closed_forms(e, p):
    """Retarded singlet and triplet functions of the paper's Eqs. (A10)–(A15).

    ``g_a = e − eps_a − Sigma_a(e)``;
    ``G^(s,t)_11 = (g_2/2)[1/(g1 g2 − (t0+t)²) ± 1/(g1 g2 − (t0−t)²)]``,
    ``G^(s,t)_12 = G^(s,t)_21 = −(1/2)[(t0+t)/(g1 g2 − (t0+t)²) ± (t0−t)/(g1 g2 − (t0−t)²)]``,
    ``G^(s,t)_22 = (g_1/2)[...]`` as ``_11`` with g_1.

    Returns
    -------
    (ndarray, ndarray)
        ``Gs``, ``Gt`` of shape (2, 2) [1/meV].
    """
    g = lead_surface_gf(e, p.te)
    g1 = e - p.eps1 - p.tL ** 2 * g
    g2 = e - p.eps2 - p.tR ** 2 * g
    dp = 1.0 / (g1 * g2 - (p.t0 + p.t) ** 2)
    dm = 1.0 / (g1 * g2 - (p.t0 - p.t) ** 2)
    gs = np.array([[g2 * (dp + dm), -((p.t0 + p.t) * dp + (p.t0 - p.t) * dm)],
                   [-((p.t0 + p.t) * dp + (p.t0 - p.t) * dm), g1 * (dp + dm)]]) / 2
    gt = np.array([[g2 * (dp - dm), -((p.t0 + p.t) * dp - (p.t0 - p.t) * dm)],
                   [-((p.t0 + p.t) * dp - (p.t0 - p.t) * dm), g1 * (dp - dm)]]) / 2
    return gs, gt


# ---------------------------------------------------------------- energy integration

def _breakpoints(p, fields=None):
    """Energies [meV] where integrands have structure: resonances and Fermi edges.

    Resonances are the eigenvalues of H_D, each flanked by points at multiples
    of the contact broadening; Fermi edges are mu_L, mu_R, flanked by multiples
    of k_B T when T > 0.
    """
    width = max(p.tL, p.tR) ** 2 / p.te
    pts = []
    for lev in np.linalg.eigvalsh(hamiltonian(p, fields)):
        pts += [lev + k * width for k in (-32, -8, -2, -0.5, 0, 0.5, 2, 8, 32)]
    for mu in (p.mu_L, p.mu_R):
        pts.append(mu)
        if p.T > 0:
            pts += [mu + k * K_B * p.T for k in (-32, -8, -2, 2, 8, 32)]
    return pts


def integrate_band(func, p, fields=None):
    """Integral ``∫ de func(e)`` over the lead band ``|e| < 2 te``, adaptively.

    The substitution ``e = −2 te cos(theta)`` (``de = 2 te sin(theta) dtheta``)
    makes integrands proportional to Gamma(e) smooth at the band edges;
    resonances and Fermi edges are breakpoints.

    Parameters
    ----------
    func : callable
        ``func(e) -> ndarray`` (complex allowed) [per meV].
    p : RefParams
    fields : array_like, shape (2, 3), optional
        Static fields, used only to place the resonance breakpoints.

    Returns
    -------
    ndarray
        The integral, same shape as ``func(e)``.

    Raises
    ------
    RuntimeError
        If the adaptive quadrature does not reach its tolerance.
    """
    band = 2.0 * p.te
    pts = [x for x in _breakpoints(p, fields) if -band < x < band]
    thetas = sorted(set(float(np.arccos(-x / band)) for x in pts))

    def integrand(theta):
        val = np.asarray(func(-band * np.cos(theta))) * (band * np.sin(theta))
        return np.concatenate([val.real.ravel(), val.imag.ravel()])

    shape = np.shape(func(0.0))
    res, err, info = quad_vec(integrand, 0.0, np.pi, epsabs=EPSABS, epsrel=EPSREL, norm="max",
                              points=thetas, limit=20000, full_output=True)
    if not info.success:
        raise RuntimeError(f"energy integral did not converge: err = {err:.3g}, status {info.status}")
    n = res.size // 2
    return (res[:n] + 1j * res[n:]).reshape(shape)


def _blocks(G):
    """(4, 4) matrix as site blocks, shape (a, sigma, b, sigma')."""
    return G.reshape(2, 2, 2, 2)


def _bubble(X, Y):
    """``Tr[tau^i X_ab tau^j Y_ba]`` for all a, b, i, j, shape (2, 2, 3, 3)."""
    tx = np.einsum("iST,aTbU->abiSU", PAULI, _blocks(X))
    ty = np.einsum("jUV,bVaS->abjUS", PAULI, _blocks(Y))
    return np.einsum("abiSU,abjUS->abij", tx, ty)


# ---------------------------------------------------------------- observables

def spin_density(p, fields=None):
    """Steady-state spin density ``<s_a>^i = −(i/2) ∫ de/2π Tr[tau^i G^<_aa(e)]``.

    Parameters
    ----------
    p : RefParams
    fields : array_like, shape (2, 3), optional
        Static exchange fields [meV], see :func:`hamiltonian`.

    Returns
    -------
    ndarray, shape (2, 3)
        Real spin density of sites 1, 2 [dimensionless, units of hbar].
    """
    def func(e):
        lesser, _ = lesser_greater(e, p, fields)
        b = _blocks(lesser)
        return np.array([np.einsum("iST,TS->i", PAULI, b[a, :, a, :]) for a in range(2)])

    val = -0.5j / (2 * np.pi) * integrate_band(func, p, fields=fields)
    return val.real


def _chi_integrand(e, p, E):
    """Integrand of chi(E) per unit e: ``(i/4)/(2π){Tr[τ G^R(e+E) τ G^<(e)] + Tr[τ G^<(e) τ G^A(e−E)]}``."""
    lesser, _ = lesser_greater(e, p)
    gr_plus = GR4(e + E, p)
    ga_minus = GR4(e - E, p).conj().T
    return 0.25j / (2 * np.pi) * (_bubble(gr_plus, lesser) + _bubble(lesser, ga_minus))


def chi(p, E=0.0):
    """Spin response ``chi_ab^ij(E)`` for a perturbation −f·s (Kubo, energy form).

    ``chi_ab^ij(E) = (i/4) ∫ de/2π Tr[tau^i G^R_ab(e+E) tau^j G^<_ba(e)
    + tau^i G^<_ab(e+E) tau^j G^A_ba(e)]``; the second term is evaluated after
    the shift e → e − E so that every Fermi step sits at mu_L, mu_R.

    Parameters
    ----------
    p : RefParams
    E : float
        Frequency hbar·omega [meV].

    Returns
    -------
    ndarray, shape (2, 2, 3, 3), complex
        ``chi[a, b, i, j]`` [1/meV] (site indices 0, 1 for sites 1, 2).
    """
    return integrate_band(lambda e: _chi_integrand(e, p, E), p)


def dchi_dE(p, delta=1e-4):
    """``d chi_ab^ij / dE`` at E = 0 by the symmetric difference ``[chi(δ) − chi(−δ)]/(2δ)``.

    The difference is taken inside the energy integral, so the adaptive
    quadrature controls the error of the quotient itself.

    Parameters
    ----------
    p : RefParams
    delta : float
        Half step δ [meV]; the truncation error is O(δ²).

    Returns
    -------
    ndarray, shape (2, 2, 3, 3), complex
        [1/meV²].
    """
    def func(e):
        return (_chi_integrand(e, p, delta) - _chi_integrand(e, p, -delta)) / (2.0 * delta)

    return integrate_band(func, p)


def chi_finite_field(p, b, f=1e-3):
    """Static response ``chi_ab^ij(0) = d<s_a^i>/d f_b^j`` from exact steady states in a field.

    A static exchange field ``f·u`` (u = x, y, z) on site ``b`` enters H_D as
    −(f/2) u·tau; the spin density is recomputed with the full 4×4 Green's
    function and differentiated by a central difference, Richardson-extrapolated
    from steps f and 2f (error O(f⁴)).

    Parameters
    ----------
    p : RefParams
    b : int
        Site of the field, 1 or 2.
    f : float
        Field step [meV].

    Returns
    -------
    ndarray, shape (2, 3, 3)
        ``[a, i, j]`` = d<s_a^i>/d f_b^j [1/meV].
    """
    out = np.zeros((2, 3, 3))
    for j in range(3):
        diffs = []
        for step in (f, 2 * f):
            fields = np.zeros((2, 3))
            fields[b - 1, j] = step
            diffs.append((spin_density(p, fields) - spin_density(p, -fields)) / (2 * step))
        out[:, :, j] = (4 * diffs[0] - diffs[1]) / 3
    return out


def noise(p):
    """Symmetrized zero-frequency spin noise ``C_ab^ij``.

    ``C_ab^ij = (hbar/8) ∫ de/2π Tr[tau^i G^>_ab tau^j G^<_ba + tau^i G^<_ab tau^j G^>_ba]``.

    Returns
    -------
    ndarray, shape (2, 2, 3, 3)
        Real [ps].
    """
    def func(e):
        lesser, greater = lesser_greater(e, p)
        return _bubble(greater, lesser) + _bubble(lesser, greater)

    return (HBAR / 8 / (2 * np.pi) * integrate_band(func, p)).real


def current(p):
    """Charge current ``I = (e/h) ∫ de Tr[Gamma_1 G^R_12 Gamma_2 G^A_21] (f_L − f_R)`` [nA]."""
    def func(e):
        gr = GR4(e, p)
        gam = -2.0 * lead_surface_gf(e, p.te).imag
        g12 = gr[:2, 2:]
        trans = p.tL ** 2 * p.tR ** 2 * gam ** 2 * np.trace(g12 @ g12.conj().T)
        return trans * (fermi(e, p.mu_L, p.T) - fermi(e, p.mu_R, p.T))

    return E_OVER_H * integrate_band(func, p).real


# ---------------------------------------------------------------- tensor form and couplings

def projections(M, that):
    """Projections of a 3×3 tensor ``M = M^(i)·1 + M^(DM)·W + M^(an)·that⊗that``.

    ``W_ij = eps_ijk that_k``; ``M^(i) = (tr M − that·M·that)/2``,
    ``M^(an) = that·M·that − M^(i)``, ``M^(DM) = (1/2) Σ_ij W_ij M_ij``.

    Parameters
    ----------
    M : ndarray, shape (3, 3)
    that : array_like, shape (3,)
        Unit vector.

    Returns
    -------
    dict
        ``{"i": M^(i), "DM": M^(DM), "an": M^(an)}``.
    """
    t = np.asarray(that, dtype=float)
    W = np.einsum("ijk,k->ij", levi_civita(), t)
    tmt = t @ M @ t
    iso = 0.5 * (np.trace(M) - tmt)
    return {"i": iso, "DM": 0.5 * np.sum(W * M), "an": tmt - iso}


def levi_civita():
    """The 3×3×3 Levi-Civita symbol."""
    eps = np.zeros((3, 3, 3))
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        eps[i, j, k], eps[i, k, j] = 1.0, -1.0
    return eps


def tensor_from_projections(iso, dm, an, that):
    """``iso·1 + dm·W + an·that⊗that`` (inverse of :func:`projections`), shape (3, 3)."""
    t = np.asarray(that, dtype=float)
    return iso * np.eye(3) + dm * np.einsum("ijk,k->ij", levi_civita(), t) + an * np.outer(t, t)


def couplings(p, delta=1e-4):
    """Every named coupling (docs/physics.md, "Named couplings") at one point.

    Parameters
    ----------
    p : RefParams
    delta : float
        Finite-difference half step for the damping [meV].

    Returns
    -------
    dict
        ``s_1, s_2`` [dimensionless]; ``J_a, D_a, A_a, K_a`` [1/meV] (times
        Delta² in B_a); ``chi22_DM`` [1/meV] (no S²); ``a_x_ab`` [1/meV²]
        (x = i, an, DM; ab = 22, 21); ``j_x_ab`` [ps]; ``T_eff_2`` [K];
        ``I`` [nA].
    """
    t = np.asarray(p.that)
    S = p.S
    s = spin_density(p)
    c0 = chi(p, 0.0).real
    dc = dchi_dE(p, delta).imag
    C = noise(p)
    pr = {(a, b): projections(c0[a - 1, b - 1], t) for a in (1, 2) for b in (1, 2)}
    out = {
        "s_1": S * float(t @ s[0]), "s_2": S * float(t @ s[1]),
        "J_1": S ** 2 * pr[1, 2]["i"], "J_2": S ** 2 * pr[2, 1]["i"],
        "D_1": S ** 2 * pr[1, 2]["DM"], "D_2": S ** 2 * pr[2, 1]["DM"],
        "A_1": S ** 2 * pr[1, 2]["an"], "A_2": S ** 2 * pr[2, 1]["an"],
        "K_1": S ** 2 * pr[1, 1]["an"], "K_2": S ** 2 * pr[2, 2]["an"],
        "chi22_DM": pr[2, 2]["DM"],
    }
    for ab, (a, b) in (("22", (2, 2)), ("21", (2, 1))):
        pa = projections(dc[a - 1, b - 1], t)
        pc = projections(C[a - 1, b - 1], t)
        for x in ("i", "an", "DM"):
            out[f"a_{x}_{ab}"] = S * pa[x]
            out[f"j_{x}_{ab}"] = S ** 2 * pc[x]
    out["T_eff_2"] = out["j_i_22"] / (2 * HBAR * S * out["a_i_22"]) / K_B
    out["I"] = current(p)
    return out


FAMILIES = {
    "spin": ("s_1", "s_2"),
    "static": ("J_1", "J_2", "D_1", "D_2", "A_1", "A_2", "K_1", "K_2", "chi22_DM"),
    "damping": tuple(f"a_{x}_{ab}" for x in ("i", "an", "DM") for ab in ("22", "21")),
    "noise": tuple(f"j_{x}_{ab}" for x in ("i", "an", "DM") for ab in ("22", "21")),
    "T_eff_2": ("T_eff_2",),
    "I": ("I",),
}
"""Named couplings grouped by kind; members of a family share units (chi22_DM up to S²)."""


def family_scale(values, key, S):
    """Largest magnitude in the family of ``key``, in the units of ``key``.

    Parameters
    ----------
    values : dict
        Output of :func:`couplings`.
    key : str
        A key of ``values``.
    S : float
        Spin length, converting between chi22_DM (no S²) and the other static couplings.

    Returns
    -------
    float
        The scale below which a member of the family counts as small (a
        tolerance floor for comparisons).
    """
    fam = next(members for members in FAMILIES.values() if key in members)
    unit = {"chi22_DM": S ** 2}
    size = max(abs(values[k]) * unit.get(k, 1.0) for k in fam)
    return size / unit.get(key, 1.0)
