"""Responses of a junction's Δ = 0 steady state at one bias point, as full tensors for every pair of sites.

For every pair (a, b) of sites and Cartesian i, j (docs/physics.md, "Electron spin response"; paper (A4)–(A8)):

* ``chi``   χ_ab^ij(0) (1/meV), the static response;
* ``dchi``  ∂_E Im χ_ab^ij(E) at E = 0 (1/meV²), componentwise: the damping per Δ²·S;
* ``noise`` C_ab^ij (ps), the symmetrised zero-frequency noise;

and per site the spin density ⟨s_a⟩ (3-vector), per lead the current I_c (nA).  :func:`point` returns them
as an :class:`xarray.Dataset`; :mod:`dimer_core.couplings.views` names its projections.

How (docs/junction.md, "Electrons at a point").  On the nodes of :func:`dimer_core.electrons.junction_grid.nodes`:
G^R = [e − H_D − ΣΣ_c]⁻¹ (2N×2N, direct inversion), ∂G^R = −G^R(1 − ΣΣ_c')G^R, A^c = G^R Γ_c G^A,
G^< = iΣ_c f_c A^c, G^> = −iΣ_c (1 − f_c) A^c.  With the bubble B(X, Y)_ab^ij = Tr[τ^i X_ab τ^j Y_ba]:

    χ(0)      = −(1/8π) Σ_c ∫ f_c [B(G^R, A^c) + B(A^c, G^A)]
    ∂_E χ(0)  = Σ_c ∫ f_c Y_c,   Y_c = −(1/8π)[B(∂G^R, A^c) − B(A^c, ∂G^A)]
    C         = (ħ/16π) Σ_cc' ∫ [(1 − f_c) f_c' + f_c (1 − f_c')] B(A^c, A^c')
    ⟨s_a⟩^i   = (1/4π) Σ_c ∫ f_c Tr[τ^i A^c_aa]
    I_c       = (e/h) Σ_c' ∫ (f_c − f_c') Tr[Γ_c A^c']

The damping is split by the symmetry of the 3N×3N matrix under (a, i) ↔ (b, j): its symmetric part is
written as a Fermi-surface term plus a bias-window term, its antisymmetric part as the sea integral,

    ∂_E Im χ = sym[ (1/M) Σ_c ∫ (−∂f_c) F + Σ_c ∫ (f_c − f̄) Im Y_c ] + anti[ Σ_c ∫ f_c Im Y_c ],
    F = (1/16π) Re B(A, A),  f̄ = (1/M) Σ_c f_c,

because sym(Σ_c Y_c) = ∂_ε F exactly (A = Σ_c A^c = i(G^R − G^A); derivation in docs/junction.md).  At
T = 0 the surface term is (1/M)Σ_c F(mu_c); at V = 0 the window term vanishes and C = 2k_BTħ·sym(∂_E Im χ)
holds integrand by integrand (fluctuation–dissipation).  For the dimer this is the engine's form
(docs/physics.md, "Damping as a Fermi-surface term").
"""
import numpy as np
import xarray as xr

from ..units import E_OVER_H, HBAR, K_B
from . import junction_grid as grid
from .occupation import fermi
from .hamiltonian import PAULI, SIGMA0, coupling_matrix, device_hamiltonian, surface_g

TRACE = np.einsum("iab,mbc,jcd,lda->imjl", PAULI, SIGMA0, PAULI, SIGMA0)
"""Tr[τ^i σ^m τ^j σ^l], shape (3, 4, 3, 4): B(X, Y)_ab^ij = Σ_ml TRACE[i, m, j, l]·x_ab^m·y_ba^l."""
_TRACE_MATRIX = np.ascontiguousarray(TRACE.transpose(1, 3, 0, 2).reshape(16, 9))
"""TRACE as a (4·m + l, 3·i + j) matrix: the trace of products (…, 4, 4) is one matrix product."""
_HALF_SIGMA = np.ascontiguousarray(0.5 * SIGMA0.transpose(2, 1, 0).reshape(4, 4))
"""½σ^m_ts as a (2·s + t, m) matrix: the Pauli components of 2×2 blocks are one matrix product."""

COMPONENTS = ("x", "y", "z")


def pauli_blocks(x, n_sites):
    """Pauli components x_ab^m = ½Tr[σ^m X_ab] of the 2×2 site blocks of X (…, 2N, 2N) → (…, N, N, 4)."""
    blocks = np.swapaxes(x.reshape(x.shape[:-2] + (n_sites, 2, n_sites, 2)), -3, -2)  # (…, a, b, s, t)
    return blocks.reshape(blocks.shape[:-2] + (4,)) @ _HALF_SIGMA


def bubble(weights, x, y):
    """Σ_nodes weights·B(X, Y): ``weights`` (K, n) real, x, y Pauli blocks (n, N, N, 4) → (K, N, N, 3, 3) complex.

    Per pair ab one (4 × n)·(n × 4) product of the weighted x_ab^m and y_ba^l, then the trace tensor.
    """
    n, nn = x.shape[0], x.shape[1]
    xa = np.ascontiguousarray(np.moveaxis(x.reshape(n, -1, 4), 0, -1))  # (ab, m, node)
    ya = np.ascontiguousarray(np.moveaxis(np.swapaxes(y, 1, 2).reshape(n, -1, 4), 0, 1))  # (ab, node, l): y_ba
    z = np.stack([((xa * wk) @ ya).reshape(nn, nn, 4, 4) for wk in np.atleast_2d(weights)])
    return _traced(z)


def local_bubble(x, y):
    """B(X, Y) at every node, unweighted: x, y Pauli blocks (n, N, N, 4) → (n, N, N, 3, 3) complex.

    The integrand of :func:`bubble` itself (``bubble(w, x, y)[k] = Σ_n w_kn·local_bubble(x, y)[n]``), for the
    tables of cumulative integrals of :mod:`dimer_core.electrons.junction_tables`.
    """
    return _traced(x[..., :, None] * np.swapaxes(y, 1, 2)[..., None, :])


def _traced(z):
    """Σ_ml TRACE[i, m, j, l]·z[…, m, l]: products z (…, N, N, 4, 4) → (…, N, N, 3, 3)."""
    return (z.reshape(z.shape[:-2] + (16,)) @ _TRACE_MATRIX).reshape(z.shape[:-2] + (3, 3))


def symmetric(t):
    """The part of a (…, N, N, 3, 3) tensor symmetric under (a, i) ↔ (b, j)."""
    return 0.5 * (t + np.swapaxes(np.swapaxes(t, -4, -3), -2, -1))


def antisymmetric(t):
    """The part of a (…, N, N, 3, 3) tensor antisymmetric under (a, i) ↔ (b, j)."""
    return 0.5 * (t - np.swapaxes(np.swapaxes(t, -4, -3), -2, -1))


class Electrons:
    """G^R, ∂G^R and the lead spectral parts A^c of a junction at given energies, with their Pauli blocks.

    Parameters
    ----------
    junction : Junction
    e : ndarray
        Energies (meV), inside the union of the bands.
    field : tuple (site, h), optional
        A static exchange field on one site (see :func:`~dimer_core.electrons.hamiltonian.device_hamiltonian`).
    """

    def __init__(self, junction, e, field=None):
        n = junction.n_sites
        e = np.asarray(e, dtype=float)
        self.e = e
        m = e[:, None, None] * np.eye(2 * n) - device_hamiltonian(junction, field)
        dsigma = np.zeros_like(m)
        self.gamma = []
        for k, lead in enumerate(junction.leads):
            cm = coupling_matrix(junction, k)
            g, dg = surface_g(e, lead.te)
            m = m - g[:, None, None] * cm
            dsigma = dsigma + dg[:, None, None] * cm
            self.gamma.append((-2.0 * g.imag)[:, None, None] * cm)
        self.r = np.linalg.inv(m)
        self.dr = -self.r @ (np.eye(2 * n) - dsigma) @ self.r
        ra = np.conj(np.swapaxes(self.r, 1, 2))
        self.spec = [self.r @ gam @ ra for gam in self.gamma]
        self.p_r = pauli_blocks(self.r, n)
        self.p_a = pauli_blocks(ra, n)
        self.p_dr = pauli_blocks(self.dr, n)
        self.p_da = pauli_blocks(np.conj(np.swapaxes(self.dr, 1, 2)), n)
        self.p_spec = [pauli_blocks(a, n) for a in self.spec]
        self.p_total = sum(self.p_spec)


def tensors(junction, refine=1.0, field=None):
    """Every response at the bias point of ``junction`` as NumPy arrays (see :func:`point`).

    Returns a dict: ``chi``, ``dchi``, ``noise`` (N, N, 3, 3) real; ``spin`` (N, 3); ``current`` (M,);
    ``imag`` the largest imaginary part dropped from χ(0) and C relative to their size (a check, ~1e-16);
    ``nodes`` the number of energy nodes.
    """
    n_leads = len(junction.leads)
    kt = K_B * junction.T
    poles = grid.resonances(junction)
    e, w = grid.nodes(junction, kt, refine, poles)
    el = Electrons(junction, e, field)
    mus = junction.chemical_potentials
    occ = [fermi(e, mu, kt) for mu in mus]
    f = np.array([o[0] for o in occ])
    fbar = f.mean(axis=0)
    k8 = -1.0 / (8.0 * np.pi)

    chi = np.zeros((junction.n_sites,) * 2 + (3, 3), dtype=complex)
    y_sea = np.zeros_like(chi)
    y_win = np.zeros_like(chi)
    for c in range(n_leads):
        wc = (f[c] * w)[None]
        chi += k8 * (bubble(wc, el.p_r, el.p_spec[c]) + bubble(wc, el.p_spec[c], el.p_a))[0]
        wy = np.stack([f[c] * w, (f[c] - fbar) * w])
        y = k8 * (bubble(wy, el.p_dr, el.p_spec[c]) - bubble(wy, el.p_spec[c], el.p_da))
        y_sea += y[0]
        y_win += y[1]
    # Fermi-surface term (1/M) Σ_c ∫(−∂f_c) F, F = (1/16π) Re B(A, A)
    if kt > 0.0:
        slope = sum(o[0] * o[1] for o in occ) / (kt * n_leads)
        surface = bubble((slope * w)[None], el.p_total, el.p_total)[0].real / (16.0 * np.pi)
    else:
        band = 2.0 * max(c.te for c in junction.leads)
        inside = np.array([mu for mu in mus if -band < mu < band])
        surface = 0.0
        if inside.size:
            at_mu = Electrons(junction, inside, field)
            weights = np.full((1, inside.size), 1.0 / n_leads)
            surface = bubble(weights, at_mu.p_total, at_mu.p_total)[0].real / (16.0 * np.pi)
    dchi = symmetric(surface + y_win.imag) + antisymmetric(y_sea.imag)

    noise = np.zeros_like(chi)
    for c in range(n_leads):
        for c2 in range(n_leads):
            wn = (occ[c][1] * occ[c2][0] + occ[c][0] * occ[c2][1]) * w
            noise += bubble(wn[None], el.p_spec[c], el.p_spec[c2])[0]
    noise *= HBAR / (16.0 * np.pi)

    spin = np.zeros((junction.n_sites, 3))
    for c in range(n_leads):
        diag = np.einsum("naai->nai", el.p_spec[c][..., 1:])  # x_aa^i = ½Tr[τ^i A^c_aa]
        spin += 2.0 * np.einsum("n,nai->ai", f[c] * w, diag.real) / (4.0 * np.pi)

    current = np.zeros(n_leads)
    for c in range(n_leads):
        for c2 in range(n_leads):
            if c2 != c:
                trans = np.einsum("nij,nji->n", el.gamma[c], el.spec[c2]).real
                current[c] += E_OVER_H * ((f[c] - f[c2]) * w) @ trans

    size = max(np.abs(chi).max(), 1e-300), max(np.abs(noise).max(), 1e-300)
    imag = max(np.abs(chi.imag).max() / size[0], np.abs(noise.imag).max() / size[1])
    return dict(chi=chi.real, dchi=dchi, noise=noise.real, spin=spin, current=current, imag=imag, nodes=e.size)


UNITS = {"chi": "1/meV", "dchi": "1/meV^2", "noise": "ps", "spin": "1", "current": "nA"}
DESCRIPTIONS = {
    "chi": "static spin response chi_ab^ij(0), Kubo, for a perturbation -f.s (docs/physics.md)",
    "dchi": "damping per Delta^2*S: d/dE Im chi_ab^ij(E) at E = 0, componentwise",
    "noise": "symmetrised zero-frequency noise C_ab^ij of the electron spins",
    "spin": "spin density <s_a>^i of the Delta = 0 steady state",
    "current": "charge current of lead c, (e/h) sum_c' int (f_c - f_c') Tr[Gamma_c G^R Gamma_c' G^A] "
               "(> 0: electrons from lead c into the device; the dimer's I is lead L's)",
}


def point(junction, refine=1.0):
    """Every electronic response of ``junction`` at its bias point, as a labelled :class:`xarray.Dataset`.

    Parameters
    ----------
    junction : Junction
        The model with its mu_F (meV), V (mV), T (K); checked (:meth:`Junction.check`).
    refine : float
        Divides every panel width of the energy grid (1 by default; the tests show nothing moves).

    Returns
    -------
    xarray.Dataset
        ``chi``, ``dchi``, ``noise`` with dims (site_a, site_b, i, j); ``spin`` (site, i); ``current``
        (lead), each with ``units`` and ``description``; coordinates site_a, site_b, site = 1 … N,
        i, j = x, y, z, lead = the lead names (with ``mu`` (meV) and ``eta``).  ``attrs``: the bias point,
        S, Delta, that, the model as TOML text (``model``), ``nodes`` and ``imag_residual``.  Named views
        (J_ab, D_ab, K_a, a_i_ab, …): :mod:`dimer_core.couplings.views`.

    Notes
    -----
    A point of a four-site, two-lead junction takes ≈ 0.2 s (docs/junction.md, "What is checked").
    """
    from ..junction.modelfile import dumps

    junction.check()
    out = tensors(junction, refine)
    sites = np.arange(1, junction.n_sites + 1)
    pair_dims = ("site_a", "site_b", "i", "j")
    data = {k: (pair_dims, out[k]) for k in ("chi", "dchi", "noise")}
    data["spin"] = (("site", "i"), out["spin"])
    data["current"] = (("lead",), out["current"])
    ds = xr.Dataset(
        {k: (dims, v, {"units": UNITS[k], "description": DESCRIPTIONS[k]}) for k, (dims, v) in data.items()},
        coords={"site_a": sites, "site_b": sites, "site": sites, "i": list(COMPONENTS), "j": list(COMPONENTS),
                "lead": [c.name for c in junction.leads],
                "mu": ("lead", junction.chemical_potentials, {"units": "meV", "long_name": "chemical potential"}),
                "eta": ("lead", [c.eta for c in junction.leads])})
    ds.attrs.update(mu_F=junction.mu_F, V=junction.V, T=junction.T, S=junction.S, Delta=junction.Delta,
                    that=list(junction.that), name=junction.name, model=dumps(junction),
                    nodes=int(out["nodes"]), imag_residual=float(out["imag"]),
                    title="Electron spin responses of a junction (dimer_core.junction; docs/junction.md)")
    return ds


__all__ = ["TRACE", "COMPONENTS", "pauli_blocks", "bubble", "local_bubble", "symmetric", "antisymmetric",
           "Electrons",
           "tensors", "point", "UNITS", "DESCRIPTIONS"]
