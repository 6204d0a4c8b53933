"""Every response of a junction over a (mu_F, V) grid: one table per model, O(1) per map point.

:func:`maps` returns the variables of :func:`dimer_core.junction.point` (``chi``, ``dchi``, ``noise`` over
(site_a, site_b, i, j), ``spin`` over (site, i), ``current`` over lead) with the dims (mu_F, V) in front
(docs/junction.md, "Maps").

T = 0: the cumulative integrals of :mod:`dimer_core.electrons.junction_tables` are built once per model (cached) and a
map point reads each lead's table at its chemical potential mu_c = mu_F + eta_c·V, and each lead pair's noise
table at both, by cubic Hermite interpolation in the band coordinate (:func:`map_arrays`, compiled, the dimer's
:func:`dimer_core.electrons.assemble.locate` and :func:`dimer_core.electrons.assemble.hermite_weights`); where the grid repeats the
chemical potentials (commensurate steps), once per distinct potential (:func:`table_values`,
:func:`gather_arrays`).

T > 0: :func:`~dimer_core.electrons.junction_tables.build_thermal` tabulates Φ_T and its μ-derivatives per band interval
(leads of one te or several; cached per model and T, rebuilt over a wider μ range when a map needs it) and
:func:`map_arrays_thermal` reads them by quintic Hermite interpolation, the cross noise with the coth window of the
dimer's :func:`dimer_core.electrons.assemble.map_outputs`.

Memory: a map holds 8·(3·9·n² + 3·n + M) bytes a point for n sites; ``pairs=`` (or ``sites=``) restricts the
tensors to the sites of the given pairs, and a map (or its table) above :data:`MAX_BYTES` is refused.
"""
import math

import numpy as np
import xarray as xr
from numba import njit, prange

from .assemble import hermite_weights, locate, quintic_weights, window_factor
from ..cache import BoundedCache
from ..params import DimerParams, checked_axis
from ..units import K_B
from . import junction_tables as tables
from .junction_tables import SEGMENTS_PER_PANEL
from .junction_response import COMPONENTS, DESCRIPTIONS, UNITS

MAX_BYTES = 512 * 2 ** 20
"""Largest map (its arrays) and largest table, in bytes: 512 MiB.  A 201 × 201 map of every pair of four sites
takes 140 MB; of eight sites 560 MB, refused: ``pairs=`` holds only the sites needed."""

MU_F_LIMIT, V_LIMIT = DimerParams.param.mu_F.bounds[1], DimerParams.param.V.bounds[1]
"""Bounds of the grids (meV, mV), those of :class:`dimer_core.params.DimerParams`."""

_tables = BoundedCache(max_items=8, max_bytes=512 * 2 ** 20)
_thermal_tables = BoundedCache(max_items=8, max_bytes=512 * 2 ** 20)


@njit(cache=True, inline="always")
def band_coordinate(mu, edges):
    """s = k·π + θ of an energy mu (meV): band interval k = [edges[k], edges[k+1]], mu = centre − half·cos θ;
    clamped to [0, (len(edges) − 1)·π] outside the bands."""
    n = edges.shape[0] - 1
    k = min(max(np.searchsorted(edges, mu, side="right") - 1, 0), n - 1)
    centre, half = 0.5 * (edges[k] + edges[k + 1]), 0.5 * (edges[k + 1] - edges[k])
    return k * math.pi + math.acos(min(max((centre - mu) / half, -1.0), 1.0))


@njit(cache=True, inline="always")
def lead_positions(mu_f, bias, eta, xs, edges, seg, mus, where):
    """At one map point: each lead's mu_c = mu_F + eta_c·V (into ``mus``), its table segment (``seg``, updated in
    place from the previous point's) and the segment's width and mu_c's fraction of it (``where``, (M, 2)).
    ``xs`` are the table abscissae: in the band coordinate s of :func:`band_coordinate` (``edges`` the band
    edges, T = 0) or in μ itself (``edges`` empty, T > 0)."""
    for c in range(eta.shape[0]):
        mus[c] = mu_f + eta[c] * bias
        x = band_coordinate(mus[c], edges) if edges.shape[0] > 0 else mus[c]
        i, h, t = locate(xs, x, seg[c])
        seg[c] = i
        where[c, 0], where[c, 1] = h, t


BLOCK = 16
"""V columns a thread sweeps together down the mu_F rows: their chemical potentials move by one grid step from
row to row, so the table rows they read stay in cache (the tables are tens of MB, a row of them 2.4 kB)."""


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def map_arrays(s, edges, lead, pair, pairs, eta, full, mu_f, bias, out):
    """Columns [χ | ∂_E Im χ | ⟨s⟩ | I | C] over mu_F × V into ``out`` (len(mu_f), len(bias), n_lead + K)
    from a :class:`~dimer_core.electrons.junction_tables.ZeroTemperatureTable` (its arrays s, edges, lead, pair, pairs, eta,
    noise_full as ``full``).

    Per point: each lead's row pair read by cubic Hermite at s(mu_c) (the first two leads' in one pass that
    writes, the others' added), then each lead pair's stored noise rows at s(mu_c) and s(mu_c') with sign(mu_c − mu_c'),
    spread over the K entries of the tensor by ``full`` (C_ab^ij = C_ba^ji).
    """
    nf, nv = mu_f.shape[0], bias.shape[0]
    n_leads, n_lead, k_cols = lead.shape[0], lead.shape[3], pair.shape[3]
    for blk in prange((nv + BLOCK - 1) // BLOCK):
        b0, b1 = blk * BLOCK, min(nv, (blk + 1) * BLOCK)
        seg = np.zeros((b1 - b0, n_leads), np.int64)
        where = np.empty((n_leads, 2))
        w = np.empty((n_leads, 4))
        rows = np.empty(n_leads, np.int64)
        mus = np.empty(n_leads)
        noise = np.empty(k_cols)
        for a in range(nf):
            for b in range(b0, b1):
                o = out[a, b]
                lead_positions(mu_f[a], bias[b], eta, s, edges, seg[b - b0], mus, where)
                for c in range(n_leads):
                    i = seg[b - b0, c]
                    w0, w1, w2, w3 = hermite_weights(where[c, 0], where[c, 1])
                    w[c, 0], w[c, 1], w[c, 2], w[c, 3] = w0, w1, w2, w3
                    rows[c] = i + i // SEGMENTS_PER_PANEL
                r, r2 = rows[0], rows[1]
                y0, d0, y1, d1 = lead[0, r, 0], lead[0, r, 1], lead[0, r + 1, 0], lead[0, r + 1, 1]
                z0, e0, z1, e1 = lead[1, r2, 0], lead[1, r2, 1], lead[1, r2 + 1, 0], lead[1, r2 + 1, 1]
                u0, u1, u2, u3 = w[0, 0], w[0, 1], w[0, 2], w[0, 3]
                v0, v1, v2, v3 = w[1, 0], w[1, 1], w[1, 2], w[1, 3]
                for col in range(n_lead):  # each lead's sum apart: equal and opposite rows cancel exactly (V = 0)
                    o[col] = ((u0 * y0[col] + u1 * d0[col] + u2 * y1[col] + u3 * d1[col])
                              + (v0 * z0[col] + v1 * e0[col] + v2 * z1[col] + v3 * e1[col]))
                for c in range(2, n_leads):
                    r = rows[c]
                    y0, d0, y1, d1 = lead[c, r, 0], lead[c, r, 1], lead[c, r + 1, 0], lead[c, r + 1, 1]
                    u0, u1, u2, u3 = w[c, 0], w[c, 1], w[c, 2], w[c, 3]
                    for col in range(n_lead):
                        o[col] += u0 * y0[col] + u1 * d0[col] + u2 * y1[col] + u3 * d1[col]
                for col in range(k_cols):
                    noise[col] = 0.0
                for p in range(pairs.shape[0]):
                    c, c2 = pairs[p, 0], pairs[p, 1]
                    if mus[c] == mus[c2]:
                        continue
                    sign = 1.0 if mus[c] > mus[c2] else -1.0
                    r, r2 = rows[c], rows[c2]
                    y0, d0, y1, d1 = pair[p, r, 0], pair[p, r, 1], pair[p, r + 1, 0], pair[p, r + 1, 1]
                    z0, e0, z1, e1 = pair[p, r2, 0], pair[p, r2, 1], pair[p, r2 + 1, 0], pair[p, r2 + 1, 1]
                    u0, u1, u2, u3 = sign * w[c, 0], sign * w[c, 1], sign * w[c, 2], sign * w[c, 3]
                    v0, v1, v2, v3 = sign * w[c2, 0], sign * w[c2, 1], sign * w[c2, 2], sign * w[c2, 3]
                    for col in range(k_cols):
                        noise[col] += (u0 * y0[col] + u1 * d0[col] + u2 * y1[col] + u3 * d1[col]
                                       - v0 * z0[col] - v1 * e0[col] - v2 * z1[col] - v3 * e1[col])
                for col in range(full.shape[0]):
                    o[n_lead + col] = noise[full[col]]
    return out


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def table_values(s, edges, table, mus):
    """One table's columns (rows, 2, ncol of a :class:`~dimer_core.electrons.junction_tables.ZeroTemperatureTable`) by cubic
    Hermite at each chemical potential in ``mus`` (meV): an array (len(mus), ncol)."""
    out = np.empty((mus.shape[0], table.shape[2]))
    for j in prange(mus.shape[0]):
        i, h, t = locate(s, band_coordinate(mus[j], edges), 0)
        w0, w1, w2, w3 = hermite_weights(h, t)
        r = i + i // SEGMENTS_PER_PANEL
        y0, d0, y1, d1 = table[r, 0], table[r, 1], table[r + 1, 0], table[r + 1, 1]
        for col in range(table.shape[2]):
            out[j, col] = w0 * y0[col] + w1 * d0[col] + w2 * y1[col] + w3 * d1[col]
    return out


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def gather_arrays(lead_values, pair_values, index, pairs, eta, full, mu_f, bias, out):
    """Columns [χ | ∂_E Im χ | ⟨s⟩ | I | C] over mu_F × V into ``out`` from each lead's columns at its distinct
    chemical potentials: ``lead_values`` (M, U, n_lead), ``pair_values`` (P, 2, U, K') (pair p's stored noise
    columns at the potentials of its first and second lead), ``index`` (M, len(mu_f), len(bias)) the row of mu_c
    at each point (:func:`distinct_potentials`), ``full`` the stored column of each noise entry; the sign of
    mu_c − mu_c' from the exact potentials."""
    nf, nv = mu_f.shape[0], bias.shape[0]
    n_leads, n_lead, k_cols = lead_values.shape[0], lead_values.shape[2], pair_values.shape[3]
    for a in prange(nf):
        noise = np.empty(k_cols)
        for b in range(nv):
            o = out[a, b]
            row = lead_values[0, index[0, a, b]]
            for col in range(n_lead):
                o[col] = row[col]
            for c in range(1, n_leads):
                row = lead_values[c, index[c, a, b]]
                for col in range(n_lead):
                    o[col] += row[col]
            for col in range(k_cols):
                noise[col] = 0.0
            for p in range(pairs.shape[0]):
                c, c2 = pairs[p, 0], pairs[p, 1]
                delta = (eta[c] - eta[c2]) * bias[b]
                if delta == 0.0:
                    continue
                sign = 1.0 if delta > 0.0 else -1.0
                q1, q2 = pair_values[p, 0, index[c, a, b]], pair_values[p, 1, index[c2, a, b]]
                for col in range(k_cols):
                    noise[col] += sign * (q1[col] - q2[col])
            for col in range(full.shape[0]):
                o[n_lead + col] = noise[full[col]]
    return out


def distinct_potentials(mu_f, bias, eta, quantum=1e-12):
    """Each lead's distinct chemical potentials mu_c = mu_F + eta_c·V over the grid (meV) and, per point, which:
    ``(values (M, U), index (M, len(mu_f), len(bias)))``, U the largest count (shorter rows padded with their last
    value).  Potentials within ``quantum`` meV of each other count as one (they are rounding apart: commensurate
    grid steps, e.g. the default mu_F -6:6:201 and V -12:12:201, give 401 a lead instead of 40401)."""
    found = []
    for e in eta:
        mus = mu_f[:, None] + e * bias[None, :]
        keys, first, inverse = np.unique(np.round(mus / quantum).ravel(), return_index=True, return_inverse=True)
        found.append((mus.ravel()[first], inverse.reshape(mus.shape)))
    width = max(v.size for v, _ in found)
    values = np.array([np.concatenate([v, np.full(width - v.size, v[-1])]) for v, _ in found])
    return values, np.array([i for _, i in found], dtype=np.int64)


GATHER_BELOW = 0.25
"""The T = 0 map reads the tables once per distinct chemical potential (:func:`gather_arrays`) when the leads have
fewer than this fraction of the grid's points of them; otherwise once per point (:func:`map_arrays`)."""


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def map_arrays_thermal(mu, lead, pair, pairs, eta, kt, full, mu_f, bias, out):
    """Columns [χ | ∂_E Im χ | ⟨s⟩ | I | C] over mu_F × V into ``out`` at k_B·T = ``kt`` > 0 from a
    :class:`~dimer_core.electrons.junction_tables.ThermalJunctionTable` (its arrays mu, lead, pair, pairs, eta,
    noise_full as ``full``).

    Per point: each lead's columns by quintic Hermite at mu_c (from the value and its first two derivatives);
    each lead pair's cross noise Δ·coth(Δ/2k_BT)·[Φ(mu_c) − Φ(mu_c')]/Δ (Δ = mu_c − mu_c',
    :func:`dimer_core.electrons.assemble.window_factor`), and (Φ'(mu_c) + Φ'(mu_c'))/2 for the divided difference where
    |Δ| < 1e-9·k_B·T, as the dimer's :func:`dimer_core.electrons.assemble.map_outputs`; the stored noise columns
    spread over the K entries of the tensor by ``full`` (C_ab^ij = C_ba^ji).
    """
    nf, nv = mu_f.shape[0], bias.shape[0]
    n_leads, n_cols, k_cols = lead.shape[0], lead.shape[3], pair.shape[3]
    n_lead = n_cols - k_cols
    for blk in prange((nv + BLOCK - 1) // BLOCK):
        b0, b1 = blk * BLOCK, min(nv, (blk + 1) * BLOCK)
        seg = np.zeros((b1 - b0, n_leads), np.int64)
        mus, where = np.empty(n_leads), np.empty((n_leads, 2))
        no_edges = np.empty(0)
        w = np.empty((n_leads, 6))
        acc = np.empty(n_cols)  # the lead columns, the stored noise columns last
        for a in range(nf):
            for b in range(b0, b1):
                lead_positions(mu_f[a], bias[b], eta, mu, no_edges, seg[b - b0], mus, where)
                o = out[a, b]
                for c in range(n_leads):
                    i = seg[b - b0, c]
                    w0, w1, w2, w3, w4, w5 = quintic_weights(where[c, 0], where[c, 1])
                    w[c, 0], w[c, 1], w[c, 2], w[c, 3], w[c, 4], w[c, 5] = w0, w1, w2, w3, w4, w5
                    y0, d0, s0 = lead[c, i, 0], lead[c, i, 1], lead[c, i, 2]
                    y1, d1, s1 = lead[c, i + 1, 0], lead[c, i + 1, 1], lead[c, i + 1, 2]
                    if c == 0:
                        for col in range(n_cols):
                            acc[col] = (w0 * y0[col] + w1 * d0[col] + w2 * s0[col]
                                        + w3 * y1[col] + w4 * d1[col] + w5 * s1[col])
                    else:
                        for col in range(n_cols):
                            acc[col] += (w0 * y0[col] + w1 * d0[col] + w2 * s0[col]
                                         + w3 * y1[col] + w4 * d1[col] + w5 * s1[col])
                for p in range(pairs.shape[0]):
                    c, c2 = pairs[p, 0], pairs[p, 1]
                    delta = mus[c] - mus[c2]
                    i, i2 = seg[b - b0, c], seg[b - b0, c2]
                    u, v = w[c], w[c2]
                    lo, hi, lo2, hi2 = pair[p, i], pair[p, i + 1], pair[p, i2], pair[p, i2 + 1]
                    if abs(delta) < 1e-9 * max(kt, 1e-3):  # the divided difference → (Φ'(mu_c) + Φ'(mu_c'))/2
                        f = 0.5 * window_factor(delta, kt)
                        for col in range(k_cols):
                            acc[n_lead + col] += f * (u[0] * lo[1, col] + u[1] * lo[2, col] + u[2] * lo[3, col]
                                                      + u[3] * hi[1, col] + u[4] * hi[2, col] + u[5] * hi[3, col]
                                                      + v[0] * lo2[1, col] + v[1] * lo2[2, col] + v[2] * lo2[3, col]
                                                      + v[3] * hi2[1, col] + v[4] * hi2[2, col] + v[5] * hi2[3, col])
                    else:
                        f = window_factor(delta, kt) / delta
                        for col in range(k_cols):
                            acc[n_lead + col] += f * (u[0] * lo[0, col] + u[1] * lo[1, col] + u[2] * lo[2, col]
                                                      + u[3] * hi[0, col] + u[4] * hi[1, col] + u[5] * hi[2, col]
                                                      - v[0] * lo2[0, col] - v[1] * lo2[1, col] - v[2] * lo2[2, col]
                                                      - v[3] * hi2[0, col] - v[4] * hi2[1, col] - v[5] * hi2[2, col])
                for col in range(n_lead):
                    o[col] = acc[col]
                for col in range(full.shape[0]):
                    o[n_lead + col] = acc[n_lead + full[col]]
    return out


def selected_sites(junction, pairs=None, sites=None):
    """The sorted sites (1-based) a map holds: those of ``pairs`` ((a, b), …; a = b: site a alone), or ``sites``, or
    all."""
    n = junction.n_sites
    if pairs is not None and sites is not None:
        raise ValueError("give pairs or sites, not both")
    if pairs is not None:
        pairs = [tuple(p) for p in pairs]
        for p in pairs:
            if len(p) != 2:
                raise ValueError(f"pairs: {p!r} is not a pair of sites (a, b)")
        sites = [s for p in pairs for s in p]
    if sites is None:
        return tuple(range(1, n + 1))
    chosen = sorted({int(s) for s in sites})
    if not chosen or chosen[0] < 1 or chosen[-1] > n:
        raise ValueError(f"sites {list(sites)!r} are out of range; allowed: 1 <= site <= {n}")
    return tuple(chosen)


def map_bytes(n_mu, n_v, n_sites, n_leads):
    """Bytes of a map's arrays (float64): 3 tensors of 9·n_sites² entries, 3·n_sites spins, n_leads currents."""
    return 8 * n_mu * n_v * (27 * n_sites * n_sites + 3 * n_sites + n_leads)


def _check_size(n_mu, n_v, sites, junction):
    size = map_bytes(n_mu, n_v, len(sites), len(junction.leads))
    if size > MAX_BYTES:
        raise ValueError(f"a map of mu_F ({n_mu}) x V ({n_v}) points over {len(sites)} sites takes "
                         f"{size / 2 ** 20:.0f} MiB; allowed: at most {MAX_BYTES / 2 ** 20:.0f} MiB (MAX_BYTES): "
                         f"fewer points, or pairs=[(a, b)] for the pairs you need")


def zero_temperature_table(junction, sites, refine=1.0):
    """The cached :class:`~dimer_core.electrons.junction_tables.ZeroTemperatureTable` of ``junction`` over ``sites``."""
    key = (junction.updated(mu_F=0.0, V=0.0, T=0.0, name=""), tuple(sites), float(refine))
    return _tables.get_or_build(key, lambda: _built(junction, sites, refine))


def _check_table(junction, sites, refine):
    """Refuse a table above :data:`MAX_BYTES` (the T = 0 table's size; a T > 0 table's intermediate is as large)."""
    size = tables.table_bytes(junction, sites, refine)
    if size > MAX_BYTES:
        raise ValueError(f"the table over {len(sites)} sites takes {size / 2 ** 20:.0f} MiB; allowed: at most "
                         f"{MAX_BYTES / 2 ** 20:.0f} MiB (MAX_BYTES): pairs=[(a, b)] for the pairs you need")


def _built(junction, sites, refine):
    _check_table(junction, sites, refine)
    return tables.build(junction, sites, refine)


def thermal_table(junction, sites, lo, hi, refine=1.0):
    """The cached :class:`~dimer_core.electrons.junction_tables.ThermalJunctionTable` of ``junction`` (its T > 0) over
    ``sites`` covering μ ∈ [lo, hi] (meV), rebuilt over the union of the ranges when it does not."""
    key = (junction.updated(mu_F=0.0, V=0.0, name=""), tuple(sites), float(refine))
    table = _thermal_tables.get(key)
    if table is None or not table.covers(lo, hi):
        if table is not None:
            lo, hi = min(lo, table.mu[0]), max(hi, table.mu[-1])
        _check_table(junction, sites, refine)
        kt = K_B * junction.T
        pad = max(1.0, 0.05 * (hi - lo), 4.0 * kt)
        table = tables.build_thermal(junction, kt, lo - pad, hi + pad, sites, refine)
        _thermal_tables.put(key, table)
    return table


def maps(junction, mu_F, V, pairs=None, sites=None, refine=1.0):
    """Every electronic response of ``junction`` over mu_F × V, as a labelled :class:`xarray.Dataset`.

    Parameters
    ----------
    junction : Junction
        The model; its T (K) is used, its mu_F and V are replaced by the grid (checked, :meth:`Junction.check`).
    mu_F : array_like
        Equilibrium chemical potentials (meV), |mu_F| ≤ 50.
    V : array_like
        Biases (mV), |V| ≤ 100: lead c sits at mu_c = mu_F + eta_c·V.
    pairs : list of (a, b), optional
        Hold the tensors only over the sites of these pairs (1-based); ``sites`` likewise lists the sites.
    refine : float
        Divides every panel width of the table's energy grid.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`dimer_core.junction.point` with dims (mu_F, V, …): ``chi``, ``dchi``, ``noise``
        (mu_F, V, site_a, site_b, i, j), ``spin`` (mu_F, V, site, i), ``current`` (mu_F, V, lead); site
        coordinates are the held sites.  The named views of :mod:`dimer_core.couplings.views` apply (as arrays).

    Raises
    ------
    ValueError
        A grid beyond its bounds, or a map or table larger than :data:`MAX_BYTES`.
    """
    from .. import __version__
    from ..junction.modelfile import dumps

    junction.check()
    mu_F, V = checked_axis("mu_F", mu_F), checked_axis("V", V)
    chosen = selected_sites(junction, pairs, sites)
    _check_size(mu_F.size, V.size, chosen, junction)
    n, m = len(chosen), len(junction.leads)
    if junction.T == 0.0:
        tab = zero_temperature_table(junction, chosen, refine)
        out = np.empty((mu_F.size, V.size, tab.lead.shape[3] + tab.noise_full.size))  # NumPy's (huge) pages
        values, index = distinct_potentials(mu_F, V, tab.eta)
        if values.size < GATHER_BELOW * mu_F.size * V.size:
            lead_values = np.stack([table_values(tab.s, tab.edges, tab.lead[c], values[c]) for c in range(m)])
            pair_values = np.stack([np.stack([table_values(tab.s, tab.edges, tab.pair[p], values[c]) for c in pair])
                                    for p, pair in enumerate(tab.pairs)]) if len(tab.pairs) else \
                np.zeros((0, 2, values.shape[1], tab.pair.shape[3]))
            gather_arrays(lead_values, pair_values, index, tab.pairs, tab.eta, tab.noise_full, mu_F, V, out)
        else:
            map_arrays(tab.s, tab.edges, tab.lead, tab.pair, tab.pairs, tab.eta, tab.noise_full, mu_F, V, out)
        method = "T = 0 tables (docs/junction.md, Maps)"
    else:
        etas = np.array([c.eta for c in junction.leads])
        mus = mu_F[:, None, None] + etas[None, None, :] * V[None, :, None]
        tab = thermal_table(junction, chosen, float(mus.min()), float(mus.max()), refine)
        out = np.empty((mu_F.size, V.size, tab.lead.shape[3] - tab.pair.shape[3] + tab.noise_full.size))
        map_arrays_thermal(tab.mu, tab.lead, tab.pair, tab.pairs, tab.eta, tab.kt, tab.noise_full, mu_F, V, out)
        method = "T > 0 tables (docs/junction.md, Maps)"
    k = 9 * n * n
    shape = (mu_F.size, V.size)
    tensor_shape = shape + (n, n, 3, 3)
    pair_dims = ("mu_F", "V", "site_a", "site_b", "i", "j")
    data = {"chi": (pair_dims, out[..., :k].reshape(tensor_shape)),
            "dchi": (pair_dims, out[..., k:2 * k].reshape(tensor_shape)),
            "noise": (pair_dims, out[..., 3 * n + m + 2 * k:].reshape(tensor_shape)),
            "spin": (("mu_F", "V", "site", "i"), out[..., 2 * k:2 * k + 3 * n].reshape(shape + (n, 3))),
            "current": (("mu_F", "V", "lead"), out[..., 2 * k + 3 * n:2 * k + 3 * n + m])}
    sites_coord = np.array(chosen)
    ds = xr.Dataset(
        {key: (dims, v, {"units": UNITS[key], "description": DESCRIPTIONS[key]}) for key, (dims, v) in data.items()},
        coords={"mu_F": ("mu_F", mu_F, {"units": "meV", "long_name": "equilibrium chemical potential"}),
                "V": ("V", V, {"units": "mV", "long_name": "bias voltage"}),
                "site_a": sites_coord, "site_b": sites_coord, "site": sites_coord,
                "i": list(COMPONENTS), "j": list(COMPONENTS), "lead": [c.name for c in junction.leads],
                "eta": ("lead", [c.eta for c in junction.leads])})
    ds.attrs.update(T=junction.T, S=junction.S, Delta=junction.Delta, that=list(junction.that), name=junction.name,
                    model=dumps(junction), kB_T=K_B * junction.T, dimer_core_version=__version__,
                    method=method,
                    title="Electron spin responses of a junction over mu_F x V (dimer_core.junction; docs/junction.md)")
    return ds


def clear_cache():
    """Empty the caches of tables."""
    _tables.clear()
    _thermal_tables.clear()


__all__ = ["MAX_BYTES", "MU_F_LIMIT", "V_LIMIT", "band_coordinate", "map_arrays", "selected_sites", "map_bytes",
           "zero_temperature_table", "thermal_table", "lead_positions", "table_values", "gather_arrays",
           "distinct_potentials", "GATHER_BELOW", "map_arrays_thermal", "maps", "clear_cache"]
