"""Assemble outputs at (mu_L, mu_R) from the one-dimensional functions Φ_k(μ), Φ'_k(μ).

An output is described by a row of an :class:`OutputSpec`: its kind and the
integrand components (see :mod:`dimer_core.electrons.integrands`) it reads.

* ``LEAD``:    scale·(Φ_cL(mu_L) + Φ_cR(mu_R))            χ, ∂_E Im χ, <s>
* ``NOISE``:   scale·(kT·Φ'_cL(mu_L) + kT·Φ'_cR(mu_R)
                      + Δ·coth(Δ/2kT)·[Φ_cN(mu_L) − Φ_cN(mu_R)]/Δ)    C
* ``CURRENT``: scale·(Φ_cN(mu_L) − Φ_cN(mu_R))             I
* ``DAMP``:    scale·(½[Φ'_cN(mu_L) + Φ'_cN(mu_R)]
                      + ½[(Φ_cL(mu_L) − Φ_cL(mu_R)) − (Φ_cR(mu_L) − Φ_cR(mu_R))])   ∂_E Im χ^(i, an)

The damping line is the Fermi-surface form of ∂_E Im χ (docs/physics.md, "Damping as a
Fermi-surface term"): cN is the surface function F (Φ'_F(μ) = ∫(−∂f)F, F(μ) at T = 0) and
cL, cR are the two leads' derivative bubbles, whose difference is weighted by f_L − f_R
(exactly 0 at Δ = 0: the same interpolant is read at mu_L and mu_R).

with Δ = mu_L − mu_R.  The noise line uses ``f(1 − f) = −kT ∂f/∂ε`` for one lead
and ``(1 − f_L) f_R + (1 − f_R) f_L = (f_L − f_R)·coth(Δ/2kT)`` across the leads;
written with a divided difference it stays exact as Δ → 0 (and is |Φ_L − Φ_R| at
T = 0).  :func:`map_outputs` (T > 0) reads the tables by cubic Hermite
interpolation, fused with the assembly so that a 201 × 201 map costs a few milliseconds.

At T = 0 every output is a signed sum of one value at mu_L and one at mu_R
(the noise window is sign(Δ)·(Φ_cN(mu_L) − Φ_cN(mu_R))), so
:func:`zero_temperature_sides` folds kind, components and scale into two
per-output Hermite tables once per parameter set, and
:func:`map_outputs_zero_temperature` reads each output with eight multiply-adds.
Its divisions (by table intervals > 0 and by 2·te > 0) carry no ZeroDivisionError
check (``error_model="numpy"``, 1.06× faster).
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

LEAD, NOISE, CURRENT, DAMP = 0, 1, 2, 3


@dataclass(frozen=True)
class OutputSpec:
    """Rows (kind, cL, cR, cN, scale) describing outputs; see the module docstring."""

    names: tuple
    kind: np.ndarray
    comp_l: np.ndarray
    comp_r: np.ndarray
    comp_n: np.ndarray
    scale: np.ndarray

    @classmethod
    def from_rows(cls, rows):
        """``rows``: iterable of (name, kind, cL, cR, cN, scale); unused components are −1."""
        names, kind, cl, cr, cn, sc = zip(*rows)
        return cls(tuple(names), np.array(kind, np.int64), np.array(cl, np.int64), np.array(cr, np.int64),
                   np.array(cn, np.int64), np.array(sc, float))

    def subset(self, rows):
        """The outputs at the given row indices."""
        rows = np.asarray(rows)
        return OutputSpec(tuple(self.names[r] for r in rows), self.kind[rows], self.comp_l[rows],
                          self.comp_r[rows], self.comp_n[rows], self.scale[rows])

    def scaled(self, factors):
        """A copy with each row's scale multiplied by ``factors`` (array)."""
        return OutputSpec(self.names, self.kind, self.comp_l, self.comp_r, self.comp_n,
                          self.scale * np.asarray(factors, float))


@njit(cache=True)
def window_factor(delta, kt):
    """Δ·coth(Δ/2k_BT) (meV): 2k_BT at Δ → 0, |Δ| at T = 0."""
    if kt == 0.0:
        return abs(delta)
    x = 0.5 * delta / kt
    if abs(x) < 1e-4:
        return 2.0 * kt * (1.0 + x * x / 3.0)
    return delta / math.tanh(x)


@njit(cache=True)
def _combine(kind, scale, vl, vr, dl, dr, nl, nr, dnl, dnr, delta, kt, window):
    """One output from values v, slopes d (own components) and n, dn (cross component);
    ``window`` = window_factor(delta, kt), the same for every output of a bias point."""
    if kind == LEAD:
        return scale * (vl + vr)
    if kind == CURRENT:
        return scale * (nl - nr)
    if abs(delta) < 1e-9 * max(kt, 1e-3):
        divided = 0.5 * (dnl + dnr) if kt > 0.0 else 0.0
    else:
        divided = (nl - nr) / delta
    return scale * (kt * (dl + dr) + window * divided)


@njit(cache=True)
def combine_vectors(kind, comp_l, comp_r, comp_n, scale, phi_l, phi_r, dphi_l, dphi_r, delta, kt):
    """Outputs at one bias point from full Φ, Φ' vectors at mu_L and mu_R."""
    n = kind.shape[0]
    out = np.empty(n)
    window = window_factor(delta, kt)
    for o in range(n):
        cl, cr, cn = comp_l[o], comp_r[o], comp_n[o]
        vl = phi_l[cl] if cl >= 0 else 0.0
        vr = phi_r[cr] if cr >= 0 else 0.0
        dl = dphi_l[cl] if cl >= 0 else 0.0
        dr = dphi_r[cr] if cr >= 0 else 0.0
        nl = phi_l[cn] if cn >= 0 else 0.0
        nr = phi_r[cn] if cn >= 0 else 0.0
        dnl = dphi_l[cn] if cn >= 0 else 0.0
        dnr = dphi_r[cn] if cn >= 0 else 0.0
        if kind[o] == DAMP:
            out[o] = scale[o] * (0.5 * (dnl + dnr) + 0.5 * ((phi_l[cl] - phi_r[cl]) - (phi_l[cr] - phi_r[cr])))
            continue
        out[o] = _combine(kind[o], scale[o], vl, vr, dl, dr, nl, nr, dnl, dnr, delta, kt, window)
    return out


@njit(cache=True, error_model="numpy")
def locate(xs, x, hint):
    """Interval i of the increasing abscissae ``xs`` holding x (clamped to the ends), its width and x's
    fraction in it; the same i as ``searchsorted(xs, x, "right") − 1`` limited to [0, n − 2].

    The search starts at ``hint`` (the previous answer): consecutive map points lie in the same or a
    neighbouring interval, so a few steps usually suffice; after eight it falls back to bisection.
    """
    n = xs.shape[0]
    x = min(max(x, xs[0]), xs[n - 1])
    i = min(max(hint, 0), n - 2)
    for _ in range(8):
        if xs[i] > x and i > 0:
            i -= 1
        elif xs[i + 1] <= x and i < n - 2:
            i += 1
        else:
            return i, xs[i + 1] - xs[i], (x - xs[i]) / (xs[i + 1] - xs[i])
    i = min(max(np.searchsorted(xs, x, side="right") - 1, 0), n - 2)
    return i, xs[i + 1] - xs[i], (x - xs[i]) / (xs[i + 1] - xs[i])


@njit(cache=True, error_model="numpy")
def hermite_weights(h, s):
    """Cubic Hermite weights of (y_i, y'_i, y_i+1, y'_i+1) at fraction s of a step h (the same for every
    component of a table row, so computed once per abscissa)."""
    s2 = s * s
    s3 = s2 * s
    return 2 * s3 - 3 * s2 + 1, (s3 - 2 * s2 + s) * h, -2 * s3 + 3 * s2, (s3 - s2) * h


@njit(cache=True, error_model="numpy")
def quintic_weights(h, s):
    """Quintic Hermite weights of (y_i, y'_i, y''_i, y_i+1, y'_i+1, y''_i+1) at fraction s of a step h."""
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    h2 = h * h
    return (1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5, (s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5) * h,
            0.5 * (s2 - 3.0 * s3 + 3.0 * s4 - s5) * h2, 10.0 * s3 - 15.0 * s4 + 6.0 * s5,
            (-4.0 * s3 + 7.0 * s4 - 3.0 * s5) * h, 0.5 * (s3 - 2.0 * s4 + s5) * h2)


@njit(cache=True)
def _quintic(ys, ds, d2s, i, w, c):
    """Quintic Hermite value of column c in interval i from values ys, slopes ds, curvatures d2s."""
    return (w[0] * ys[i, c] + w[1] * ds[i, c] + w[2] * d2s[i, c]
            + w[3] * ys[i + 1, c] + w[4] * ds[i + 1, c] + w[5] * d2s[i + 1, c])


@njit(cache=True, inline="always")
def chemical_potentials(mu_F, V):
    """mu_L = mu_F + eV/2, mu_R = mu_F − eV/2 (meV; V in mV)."""
    return mu_F + 0.5 * V, mu_F - 0.5 * V


@njit(cache=True, parallel=True, nogil=True)
def map_outputs(xs, ys, ds, d2s, d3s, mu_f, bias, kt, kind, comp_l, comp_r, comp_n, scale):
    """Outputs over the grid mu_F × V from a T > 0 table (xs = μ; ys, ds, d2s, d3s = Φ, Φ', Φ'', Φ''').

    Φ is the quintic Hermite interpolant of (Φ, Φ', Φ''), and Φ' (the noise within one lead) that of
    (Φ', Φ'', Φ'''): both err by O(h⁶).  Returns an array of shape (len(mu_f), len(bias), n_outputs).
    """
    nf, nv, no = mu_f.shape[0], bias.shape[0], kind.shape[0]
    out = np.empty((nf, nv, no))
    for a in prange(nf):
        il = ir = 0
        for b in range(nv):
            mu_l, mu_r = chemical_potentials(mu_f[a], bias[b])
            il, hl, sl = locate(xs, mu_l, il)
            ir, hr, sr = locate(xs, mu_r, ir)
            wl, wr = quintic_weights(hl, sl), quintic_weights(hr, sr)
            delta = mu_l - mu_r
            window = window_factor(delta, kt)
            for o in range(no):
                cl, cr, cn = comp_l[o], comp_r[o], comp_n[o]
                if kind[o] == DAMP:
                    win = ((_quintic(ys, ds, d2s, il, wl, cl) - _quintic(ys, ds, d2s, ir, wr, cl))
                              - (_quintic(ys, ds, d2s, il, wl, cr) - _quintic(ys, ds, d2s, ir, wr, cr)))
                    surface = _quintic(ds, d2s, d3s, il, wl, cn) + _quintic(ds, d2s, d3s, ir, wr, cn)
                    out[a, b, o] = scale[o] * 0.5 * (surface + win)
                    continue
                vl = _quintic(ys, ds, d2s, il, wl, cl) if cl >= 0 else 0.0
                vr = _quintic(ys, ds, d2s, ir, wr, cr) if cr >= 0 else 0.0
                nl = _quintic(ys, ds, d2s, il, wl, cn) if cn >= 0 else 0.0
                nr = _quintic(ys, ds, d2s, ir, wr, cn) if cn >= 0 else 0.0
                dl = dr = dnl = dnr = 0.0
                if kind[o] == NOISE:
                    dl = _quintic(ds, d2s, d3s, il, wl, cl)
                    dr = _quintic(ds, d2s, d3s, ir, wr, cr)
                    dnl = _quintic(ds, d2s, d3s, il, wl, cn)
                    dnr = _quintic(ds, d2s, d3s, ir, wr, cn)
                out[a, b, o] = _combine(kind[o], scale[o], vl, vr, dl, dr, nl, nr, dnl, dnr, delta, kt, window)
    return out


@dataclass(frozen=True)
class ZeroTemperatureSides:
    """The T = 0 outputs of an :class:`OutputSpec` as Hermite tables of their mu_L and mu_R parts.

    Output o at (mu_L, mu_R) is ``m_o·(H(left[:, o], θ_L) + H(right[:, o], θ_R))`` with H the cubic Hermite
    interpolant in the band angle θ, ``left[i, :, o] = (Φ_i, Φ'_i, Φ_i+1, Φ'_i+1)`` of the output's component
    times its scale (times −1 on the right for currents and noises), and m_o = sign(Δ) for noises
    (the T = 0 window |Δ|·(Φ(mu_L) − Φ(mu_R))/Δ), 1 otherwise.  For a damping row (``DAMP``) these
    columns hold the window part ±½(Φ_cL − Φ_cR), and an extra column n_outputs + s (s = 0, 1, ...)
    holds ½ of its Fermi-surface function F (values F = Φ'_cN/(dε/dθ), slopes dF/dθ = F_cL + F_cR),
    added to output ``target[s]``: the window part then cancels exactly at Δ = 0.
    """

    theta: np.ndarray
    """The table's θ points (n_points,), increasing."""
    left: np.ndarray
    """(n_points − 1, 4, n_outputs)"""
    right: np.ndarray
    """(n_points − 1, 4, n_outputs)"""
    odd: np.ndarray
    """(n_outputs,): 1.0 for outputs multiplied by sign(Δ), else 0.0."""
    target: np.ndarray
    """(n_surface,): the output to which each extra (Fermi-surface) column is added."""

    @property
    def nbytes(self):
        return self.theta.nbytes + self.left.nbytes + self.right.nbytes + self.odd.nbytes + self.target.nbytes


def zero_temperature_sides(table, spec):
    """:class:`ZeroTemperatureSides` of ``spec`` from a :class:`~dimer_core.electrons.tables.NodeTable`."""
    ys, ds = table.phi, table.dphi
    lead = spec.kind == LEAD
    damp = spec.kind == DAMP
    cols_l = np.where(lead | damp, spec.comp_l, spec.comp_n)
    cols_r = np.where(lead, spec.comp_r, spec.comp_n)
    sign_r = np.where(lead, 1.0, -1.0)

    def hermite(y, d):
        return np.stack([y[:-1], d[:-1], y[1:], d[1:]], axis=1)

    def side(cols, factor):
        factor = np.where(cols >= 0, factor, 0.0)
        cols = np.maximum(cols, 0)
        y, d = ys[:, cols] * factor, ds[:, cols] * factor
        # damping rows: the window part ½(Φ_cL − Φ_cR), the same with −1 on the right
        dl, dr = np.maximum(spec.comp_l[damp], 0), np.maximum(spec.comp_r[damp], 0)
        half = 0.5 * factor[damp]
        y[:, damp] = (ys[:, dl] - ys[:, dr]) * half
        d[:, damp] = (ds[:, dl] - ds[:, dr]) * half
        return hermite(y, d)

    # Fermi-surface columns of the damping rows: ½F(θ) with F = Φ'_cN/(dε/dθ) (0 at the band edges)
    # and dF/dθ = F_cL + F_cR (the two leads' derivative bubbles sum to ∂F/∂ε)
    target = np.flatnonzero(damp)
    dedt = 2.0 * table.te * np.sin(table.theta)
    half = 0.5 * spec.scale[damp]
    values = np.divide(ds[:, spec.comp_n[damp]], dedt[:, None], out=np.zeros((ds.shape[0], target.size)),
                       where=dedt[:, None] > 0.0) * half
    slopes = (ds[:, spec.comp_l[damp]] + ds[:, spec.comp_r[damp]]) * half
    surface = hermite(values, slopes)
    left = np.ascontiguousarray(np.concatenate([side(cols_l, spec.scale), surface], axis=2))
    right = np.ascontiguousarray(np.concatenate([side(cols_r, sign_r * spec.scale), surface], axis=2))
    return ZeroTemperatureSides(theta=table.theta, left=left, right=right, odd=(spec.kind == NOISE).astype(float),
                                target=target.astype(np.int64))


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def map_outputs_zero_temperature(theta, left, right, odd, target, te, mu_f, bias):
    """Outputs over the grid mu_F × V at T = 0 from :class:`ZeroTemperatureSides` on the θ points ``theta``.

    Returns an array of shape (len(mu_f), len(bias), n_outputs).
    """
    nf, nv, no = mu_f.shape[0], bias.shape[0], odd.shape[0]
    out = np.empty((nf, nv, no))
    for a in prange(nf):
        il = ir = 0
        for b in range(nv):
            mu_l, mu_r = chemical_potentials(mu_f[a], bias[b])
            il, hl, sl = locate(theta, math.acos(min(max(-mu_l / (2.0 * te), -1.0), 1.0)), il)
            ir, hr, sr = locate(theta, math.acos(min(max(-mu_r / (2.0 * te), -1.0), 1.0)), ir)
            l0, l1, l2, l3 = hermite_weights(hl, sl)
            r0, r1, r2, r3 = hermite_weights(hr, sr)
            delta = mu_l - mu_r
            sign = 1.0 if delta > 0.0 else (-1.0 if delta < 0.0 else 0.0)
            for o in range(no):
                at_l = l0 * left[il, 0, o] + l1 * left[il, 1, o] + l2 * left[il, 2, o] + l3 * left[il, 3, o]
                at_r = r0 * right[ir, 0, o] + r1 * right[ir, 1, o] + r2 * right[ir, 2, o] + r3 * right[ir, 3, o]
                out[a, b, o] = (at_l + at_r) * (1.0 + odd[o] * (sign - 1.0))  # exactly 0 for Φ_L − Φ_R at Δ = 0
            for s in range(target.shape[0]):
                o = no + s
                at_l = l0 * left[il, 0, o] + l1 * left[il, 1, o] + l2 * left[il, 2, o] + l3 * left[il, 3, o]
                at_r = r0 * right[ir, 0, o] + r1 * right[ir, 1, o] + r2 * right[ir, 2, o] + r3 * right[ir, 3, o]
                out[a, b, target[s]] += at_l + at_r
    return out

__all__ = ["LEAD", "NOISE", "CURRENT", "DAMP", "OutputSpec", "window_factor", "combine_vectors", "locate",
           "hermite_weights", "quintic_weights", "chemical_potentials", "map_outputs", "ZeroTemperatureSides",
           "zero_temperature_sides", "map_outputs_zero_temperature"]
