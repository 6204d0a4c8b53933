"""Cumulative integrals of a junction's integrands, tabulated once per model for fast maps (T = 0 and T > 0).

Every response of :func:`dimer_core.electrons.junction_response.tensors` at T = 0 is a sum of functions of one
chemical potential each (docs/junction.md, "Maps"): with Φ_X(μ) = ∫_{−∞}^{μ} X(ε) dε,

    χ         = Σ_c Φ_{χ_c}(mu_c),                 χ_c = −(1/8π) Re[B(G^R, A^c) + B(A^c, G^A)]
    ∂_E Im χ  = Σ_c D_c(mu_c),  D_c = Φ_{Im Y_c} + (1/M)·[F − sym Φ_{Σ Im Y}]
    ⟨s_a⟩^i   = Σ_c Φ_{s_c}(mu_c),                 s_c = (1/4π) Tr[τ^i A^c_aa]
    I_c       = (e/h) Σ_{c' ≠ c} [Φ_{T_cc'}(mu_c) − Φ_{T_cc'}(mu_c')],   T_cc' = Re Tr[Γ_c A^c']
    C         = Σ_{c < c'} sign(mu_c − mu_c')·[Φ_{N_cc'}(mu_c) − Φ_{N_cc'}(mu_c')],
                N_cc' = (ħ/16π) Re[B(A^c, A^c') + B(A^c', A^c)]

(|f_c − f_c'| = (1 − f_c) f_c' + f_c (1 − f_c') is the indicator of the window between mu_c and mu_c').
D_c is the damping's Fermi-surface-plus-window form (docs/junction.md, "The damping: Fermi surface plus bias
window, for any junction"): summed over the leads it is (1/M)Σ_c F(mu_c) + sym Σ_c ∫(f_c − f̄) Im Y_c +
anti Σ_c ∫ f_c Im Y_c, so its symmetric window part cancels exactly at V = 0.  Its slope in ε is Im Y_c
exactly (∂F/∂ε = sym Σ Im Y).

The table points are the panel edges and Gauss–Legendre nodes of :func:`dimer_core.electrons.junction_grid.panels`
without Fermi steps (``mus = ()``), ``TABLE_DENSITY`` times finer (the dimer's :data:`dimer_core.electrons.tables.TABLE_DENSITY`),
in the coordinate s = k·π + θ (band interval k, its angle θ).  Values: Φ by each panel's spectral integration
matrix; slopes dΦ/ds = X·dε/dθ, at the nodes exactly and at a panel's edges by the Lagrange extrapolation of its
own nodes (at an interval's ends, where dε/dθ = 0, the limit is finite for ∂Σ of a narrower lead).  The table
holds per panel :data:`ROWS_PER_PANEL` rows (y, y') at [left edge, nodes, right edge], each edge once per panel
(the slopes there, and F, come from the panel's own nodes): segment j (:data:`SEGMENTS_PER_PANEL` per panel)
is the cubic Hermite interpolant of rows j + j // SEGMENTS_PER_PANEL and the next (:func:`segment_row`).

T > 0 (:func:`build_thermal`): per band interval, the same integrands and cumulative integrals handed to the dimer's
:func:`dimer_core.electrons.tables.fermi_window_sums` as a :class:`dimer_core.electrons.tables.NodeTable` in the interval's angle, which
returns the interval's part of Φ_T(μ) and its first three μ-derivatives on the μ points of
:func:`dimer_core.electrons.tables.abscissae`; the parts add up; the same-lead noise is
2k_BT·Φ'_T of Re B(A^c, A^c)·ħ/16π and the cross noise takes the dimer's coth window (docs/junction.md, "Maps").
"""
from dataclasses import dataclass

import numpy as np

from .energy_grid import GL_NODES, GL_ORDER, GL_WEIGHTS, spectral_integration_matrix
from .tables import TABLE_DENSITY
from ..units import E_OVER_H, HBAR
from . import junction_grid as grid
from .junction_response import Electrons, local_bubble, symmetric


SEGMENTS_PER_PANEL = GL_ORDER + 1
"""Table segments per panel: edge, the Gauss–Legendre nodes, edge."""
ROWS_PER_PANEL = GL_ORDER + 2
"""Table rows per panel (its two edges and its nodes)."""


def segment_row(j):
    """The first of the two table rows (y, y') of segment ``j``."""
    return j + j // SEGMENTS_PER_PANEL


def noise_columns(n_sites):
    """The noise columns a table stores, and where each entry of the full tensor is among them.

    The noise is symmetric under (a, i) ↔ (b, j): C_ab^ij = C_ba^ji, integrand by integrand, since
    B(X, Y)_ba^ji = B(Y, X)_ab^ij and N_cc' holds B(A^c, A^c') + B(A^c', A^c) (docs/junction.md, "Maps").  A table
    stores the upper triangle of the 3n × 3n matrix over (site, component): 3n(3n + 1)/2 columns instead of 9n².

    Returns ``(stored, full)``: ``stored`` the flat (a, b, i, j) indices (C order of (n, n, 3, 3)) of the stored
    entries (row 3a + i ≤ column 3b + j), in order; ``full`` (9n²,) for each flat index the stored column
    holding it.
    """
    m = 3 * n_sites
    rows, cols = np.triu_indices(m)
    stored = (((rows // 3) * n_sites + cols // 3) * 3 + rows % 3) * 3 + cols % 3
    which = np.empty((m, m), np.int64)
    which[rows, cols] = which[cols, rows] = np.arange(rows.size)
    full = which.reshape(n_sites, 3, n_sites, 3).transpose(0, 2, 1, 3).ravel()
    return stored, np.ascontiguousarray(full)


@dataclass(frozen=True)
class ZeroTemperatureTable:
    """Hermite tables of the T = 0 cumulative integrals of a junction over the band coordinate s.

    A map point reads each lead's table at s(mu_c) (:func:`band_coordinate`) and each lead pair's at s(mu_c),
    s(mu_c'); see the module docstring and :func:`dimer_core.electrons.junction_maps.map_arrays`.
    """

    s: np.ndarray
    """Table points in s = k·π + θ (n_points,), increasing from 0 to (number of band intervals)·π."""
    edges: np.ndarray
    """Band edges (meV), the ends of the band intervals."""
    lead: np.ndarray
    """(M, n_rows, 2, n_lead): per lead, per row (y, y' = dy/ds) of the columns
    [χ (K) | ∂_E Im χ (K) | ⟨s⟩ (3·n_sites) | I (M)], K = n_sites²·9 over the tabulated sites."""
    pair: np.ndarray
    """(P, n_rows, 2, K'): per lead pair c < c' the stored noise columns (K' = 3n(3n + 1)/2, :func:`noise_columns`)."""
    pairs: np.ndarray
    """(P, 2) the lead pairs (0-based)."""
    eta: np.ndarray
    """(M,) each lead's share of the bias."""
    sites: tuple
    """The tabulated sites (1-based): the tensors are over sites × sites."""
    noise_full: np.ndarray
    """(K,) for each entry of the noise tensor (flat (a, b, i, j)) its stored column (:func:`noise_columns`)."""

    @property
    def nbytes(self):
        return sum(a.nbytes for a in (self.s, self.edges, self.lead, self.pair, self.pairs, self.eta, self.noise_full))


def table_bytes(junction, sites, refine=1.0):
    """An estimate (bytes) of the :class:`ZeroTemperatureTable` of ``sites``, from its number of panels."""
    n_rows = sum(ROWS_PER_PANEL * (theta.size - 1)
                 for _, _, theta in grid.panels(junction, 0.0, TABLE_DENSITY * refine, mus=()))
    m, n = len(junction.leads), len(sites)
    k = 9 * n * n
    return 16 * n_rows * (m * (2 * k + 3 * n + m) + m * (m - 1) // 2 * (3 * n) * (3 * n + 1) // 2)


def _extrapolation():
    """Matrix (2, GL_ORDER): a panel's node values → its interpolant's values at x = −1 and +1."""
    L = np.polynomial.legendre
    return L.legvander(np.array([-1.0, 1.0]), GL_ORDER - 1) @ np.linalg.inv(L.legvander(GL_NODES, GL_ORDER - 1))


_EXTRAPOLATE = _extrapolation()
_INTEGRATE = spectral_integration_matrix()


def _densities(junction, e, sites, same_lead=False):
    """Per-energy integrands at ``e`` (meV): dict of real arrays over nodes (see the module docstring); the noise
    ones (n_nodes, K') over the stored columns of :func:`noise_columns`; with ``same_lead`` also
    Re B(A^c, A^c)·ħ/16π per lead (the same-lead noise, which vanishes at T = 0)."""
    el = Electrons(junction, e)
    idx = np.asarray(sites) - 1
    n_leads = len(junction.leads)

    def sub(p):
        return p[:, idx][:, :, idx]

    p_r, p_a, p_dr, p_da = sub(el.p_r), sub(el.p_a), sub(el.p_dr), sub(el.p_da)
    p_spec = [sub(p) for p in el.p_spec]
    k8 = -1.0 / (8.0 * np.pi)
    chi = [k8 * (local_bubble(p_r, a) + local_bubble(a, p_a)).real for a in p_spec]
    im_y = [k8 * (local_bubble(p_dr, a) - local_bubble(a, p_da)).imag for a in p_spec]
    total = sum(p_spec)
    surface = local_bubble(total, total).real / (16.0 * np.pi)
    spin = [2.0 * np.einsum("naai->nai", a[..., 1:]).real / (4.0 * np.pi) for a in p_spec]
    trans = np.array([[np.einsum("nij,nji->n", el.gamma[c], el.spec[c2]).real for c2 in range(n_leads)]
                      for c in range(n_leads)])
    pairs = [(c, c2) for c in range(n_leads) for c2 in range(c + 1, n_leads)]
    stored, _ = noise_columns(len(sites))
    k16 = HBAR / (16.0 * np.pi)

    def stored_part(b):
        return k16 * b.real.reshape(e.size, -1)[:, stored]

    noise = [stored_part(local_bubble(p_spec[c], p_spec[c2]) + local_bubble(p_spec[c2], p_spec[c])) for c, c2 in pairs]
    noise_same = [stored_part(local_bubble(a, a)) for a in p_spec] if same_lead else None
    return dict(chi=chi, im_y=im_y, surface=surface, spin=spin, trans=trans, noise=noise, pairs=pairs,
                noise_same=noise_same)


def _lead_columns(d, n_leads):
    """Per lead the per-energy columns [χ_c | Im Y_c | s_c | current rows] (n, n_lead) and, for the damping
    columns, the value-only correction (1/M)·(F − sym Φ_{Σ Im Y}) is added later (:func:`build`)."""
    n = d["surface"].shape[0]
    cols = []
    for c in range(n_leads):
        current = np.zeros((n, n_leads))
        for out in range(n_leads):
            if out == c:
                current[:, out] = sum(d["trans"][c, c2] for c2 in range(n_leads) if c2 != c)
            else:
                current[:, out] = -d["trans"][out, c]
        cols.append(np.concatenate([d["chi"][c].reshape(n, -1), d["im_y"][c].reshape(n, -1),
                                    d["spin"][c].reshape(n, -1), E_OVER_H * current], axis=1))
    return cols


def _cumulative(g, start, half):
    """Per panel: values (npan, GL_ORDER + 2, ncol) of Φ at [edge, nodes, edge] from its start value and the per-dθ
    integrand g at the nodes (npan·GL_ORDER, ncol), slopes dΦ/dθ there (the edges' by extrapolation), and Φ at the
    last edge."""
    npan = half.size
    g = g.reshape(npan, GL_ORDER, -1)
    step = half[:, None] * np.einsum("n,pnc->pc", GL_WEIGHTS, g)
    edge = start + np.concatenate([np.zeros((1, g.shape[2])), np.cumsum(step, axis=0)])
    inner = edge[:-1, None, :] + half[:, None, None] * np.einsum("jk,pkc->pjc", _INTEGRATE, g)
    y = np.concatenate([edge[:-1, None, :], inner, edge[1:, None, :]], axis=1)
    ends = np.einsum("xk,pkc->pxc", _EXTRAPOLATE, g)
    slope = np.concatenate([ends[:, :1], g, ends[:, 1:]], axis=1)
    return y, slope, edge[-1]


def build(junction, sites=None, refine=1.0):
    """The :class:`ZeroTemperatureTable` of ``junction`` (its mu_F, V, T are ignored) over ``sites``
    (1-based, all by default); ``refine`` divides every panel width further."""
    sites = tuple(range(1, junction.n_sites + 1)) if sites is None else tuple(sites)
    n_leads, n_sites = len(junction.leads), len(sites)
    k = 9 * n_sites * n_sites
    stored, full = noise_columns(n_sites)
    s_pts, lead_segs, pair_segs = [], [], []
    lead_start = np.zeros((n_leads, 2 * k + 3 * n_sites + n_leads))
    ytot_start = np.zeros(k)
    pair_start = None
    intervals = grid.panels(junction, 0.0, TABLE_DENSITY * refine, mus=())
    for band, (centre, half_band, theta) in enumerate(intervals):
        t, half = grid.panel_nodes(theta)
        npan = half.size
        e = (centre - half_band * np.cos(t)).ravel()
        dedt = (half_band * np.sin(t)).ravel()[:, None]
        d = _densities(junction, e, sites)
        leads = [c * dedt for c in _lead_columns(d, n_leads)]
        ytot = sum(c[:, k:2 * k] for c in leads)
        noise = [x * dedt for x in d["noise"]]
        if pair_start is None:
            pair_start = np.zeros((len(noise), stored.size))
        surface = d["surface"].reshape(npan, GL_ORDER, k)

        def segments(y, slope):
            return np.stack([y, slope], axis=2).reshape(-1, 2, y.shape[2])  # (npan·ROWS_PER_PANEL, 2, ncol)

        y_tot, _, ytot_next = _cumulative(ytot, ytot_start, half)
        f_vals = np.concatenate([np.einsum("xk,pkc->pxc", _EXTRAPOLATE[:1], surface), surface,
                                 np.einsum("xk,pkc->pxc", _EXTRAPOLATE[1:], surface)], axis=1)
        correction = (f_vals - symmetric(y_tot.reshape(npan, GL_ORDER + 2, n_sites, n_sites, 3, 3)).reshape(
            npan, GL_ORDER + 2, k)) / n_leads
        per_lead = []
        for c in range(n_leads):
            y, slope, lead_start[c] = _cumulative(leads[c], lead_start[c], half)
            y[:, :, k:2 * k] += correction
            per_lead.append(segments(y, slope))
        lead_segs.append(np.stack(per_lead))
        per_pair = []
        for p, g in enumerate(noise):
            y, slope, pair_start[p] = _cumulative(g, pair_start[p], half)
            per_pair.append(segments(y, slope))
        pair_segs.append(np.stack(per_pair) if per_pair else np.zeros((0, npan * ROWS_PER_PANEL, 2, stored.size)))
        ytot_start = ytot_next
        pts = np.concatenate([theta[:-1, None], t], axis=1).ravel() + band * np.pi
        s_pts.append(pts)
    s_pts.append([len(intervals) * np.pi])
    pairs = np.array(d["pairs"], dtype=np.int64).reshape(-1, 2)
    return ZeroTemperatureTable(s=np.concatenate(s_pts), edges=grid.band_edges(junction),
                                lead=np.ascontiguousarray(np.concatenate(lead_segs, axis=1)),
                                pair=np.ascontiguousarray(np.concatenate(pair_segs, axis=1)), pairs=pairs,
                                eta=np.array([c.eta for c in junction.leads]), sites=sites, noise_full=full)


@dataclass(frozen=True)
class ThermalJunctionTable:
    """The T > 0 one-lead functions of a junction on μ points, read by quintic Hermite interpolation.

    Per lead c (a function of mu_c): columns [χ | ∂_E Im χ | ⟨s⟩ | I | C_cc] with C_cc = 2k_BT·Φ'_{N_cc} (the
    same-lead noise: 2f_c(1 − f_c) = 2k_BT(−∂f_c)); per lead pair c < c': Φ_{N_cc'} and its derivatives, for
    the cross noise coth((mu_c − mu_c')/2k_BT)·[Φ_{N_cc'}(mu_c) − Φ_{N_cc'}(mu_c')] (docs/junction.md, "Maps").
    """

    mu: np.ndarray
    """μ points (meV), increasing."""
    lead: np.ndarray
    """(M, n_mu, 3, n_lead + K'): the value and its first two μ-derivatives of the lead columns (C_cc over the
    stored noise columns of :func:`noise_columns`, K' of them)."""
    pair: np.ndarray
    """(P, n_mu, 4, K'): Φ_{N_cc'} and its first three μ-derivatives, over the stored noise columns."""
    pairs: np.ndarray
    """(P, 2) the lead pairs (0-based)."""
    eta: np.ndarray
    """(M,) each lead's share of the bias."""
    sites: tuple
    """The tabulated sites (1-based)."""
    kt: float
    """k_B·T (meV)."""
    noise_full: np.ndarray
    """(K,) for each entry of the noise tensor (flat (a, b, i, j)) its stored column (:func:`noise_columns`)."""

    def covers(self, lo, hi):
        return self.mu[0] <= lo and hi <= self.mu[-1]

    @property
    def nbytes(self):
        return sum(a.nbytes for a in (self.mu, self.lead, self.pair, self.pairs, self.eta, self.noise_full))


def build_thermal(junction, kt, lo, hi, sites=None, refine=1.0):
    """The :class:`ThermalJunctionTable` of ``junction`` at k_B·T = ``kt`` > 0 (meV) for μ in [lo, hi] (meV).

    Per band interval [A, B] (:func:`dimer_core.electrons.junction_grid.panels`, e = (A + B)/2 − (B − A)/2·cos θ): the
    integrands on its T = 0 panels (as :func:`build`), their cumulative integrals from A as a
    :class:`dimer_core.electrons.tables.NodeTable` in that angle (a band of half-width (B − A)/2 about (A + B)/2, every
    panel anchored at θ = 0), and the dimer's :func:`dimer_core.electrons.tables.fermi_window_sums` at μ − (A + B)/2:
    Φ_T and its first three μ-derivatives of the interval's part of every column.  The intervals' parts add up
    (∫ f_T(ε − μ) X(ε) dε over the union of the bands); a window reaching beyond an interval is cut at its
    ends, where every integrand per dθ is finite.  μ points: :func:`dimer_core.electrons.tables.abscissae` with every
    lead's band edges as features.  The cost is bounded for every k_B·T > 0 (docs/junction.md, "Maps").
    """
    from .tables import NodeTable, abscissae, fermi_window_sums

    sites = tuple(range(1, junction.n_sites + 1)) if sites is None else tuple(sites)
    n_leads, n_sites = len(junction.leads), len(sites)
    k = 9 * n_sites * n_sites
    stored, full = noise_columns(n_sites)
    poles = grid.resonances(junction)
    band_edges = grid.band_edges(junction)
    mus = abscissae(poles, grid.min_width(junction, poles), 0.5 * band_edges[-1], kt, lo, hi, refine,
                    band_edges=band_edges)
    phis = 0.0
    for centre, half_band, theta in grid.panels(junction, 0.0, TABLE_DENSITY * refine, poles, mus=()):
        t, half = grid.panel_nodes(theta)
        e = (centre - half_band * np.cos(t)).ravel()
        dedt = (half_band * np.sin(t)).ravel()[:, None]
        d = _densities(junction, e, sites, same_lead=True)
        columns = []
        for lead, same in zip(_lead_columns(d, n_leads), d["noise_same"]):
            columns += [lead, same]
        columns += [d["surface"].reshape(e.size, -1)] + d["noise"]
        g = np.concatenate(columns, axis=1) * dedt
        y, slope, _ = _cumulative(g, np.zeros(g.shape[1]), half)
        pts = np.concatenate([np.concatenate([theta[:-1, None], t], axis=1).ravel(), theta[-1:]])
        phi = np.concatenate([y[:, :-1].reshape(-1, g.shape[1]), y[-1, -1:]])
        dphi = np.concatenate([slope[:, :-1].reshape(-1, g.shape[1]), slope[-1, -1:]])
        table = NodeTable(theta=pts, phi=phi, dphi=dphi, te=0.5 * half_band, anchor=np.zeros(half.size))
        phis = phis + np.stack(fermi_window_sums(table, kt, mus - centre), axis=1)  # (n_mu, 4 derivatives, columns)
    width = 2 * k + 3 * n_sites + n_leads
    per_lead = width + stored.size
    lead_part = phis[:, :, :n_leads * per_lead].reshape(mus.size, 4, n_leads, per_lead)
    surface = phis[:, :, n_leads * per_lead:n_leads * per_lead + k]
    pair = phis[:, :, n_leads * per_lead + k:].reshape(mus.size, 4, -1, stored.size).transpose(2, 0, 1, 3)
    im_y_total = lead_part[:, :3, :, k:2 * k].sum(axis=2).reshape(mus.size, 3, n_sites, n_sites, 3, 3)
    # D_c = Φ_{Im Y_c} + (1/M)(Φ'_F − sym Φ_{Σ Im Y}), and its first two μ-derivatives
    correction = (surface[:, 1:] - symmetric(im_y_total).reshape(mus.size, 3, k)) / n_leads
    lead = np.empty((n_leads, mus.size, 3, per_lead))
    for c in range(n_leads):
        lead[c] = lead_part[:, :3, c]
        lead[c, :, :, k:2 * k] += correction
        lead[c, :, :, width:] = 2.0 * kt * lead_part[:, 1:, c, width:]  # C_cc = 2k_BT·Φ'_{N_cc}
    return ThermalJunctionTable(mu=mus, lead=np.ascontiguousarray(lead), pair=np.ascontiguousarray(pair),
                                pairs=np.array(d["pairs"], dtype=np.int64).reshape(-1, 2),
                                eta=np.array([c.eta for c in junction.leads]), sites=sites, kt=float(kt),
                                noise_full=full)


__all__ = ["SEGMENTS_PER_PANEL", "ROWS_PER_PANEL", "segment_row", "noise_columns", "ZeroTemperatureTable", "table_bytes", "build",
           "ThermalJunctionTable", "build_thermal"]
