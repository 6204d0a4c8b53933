"""Linear modes of the spin dynamics (ESR/FMR lines) around its stationary states, and the rf absorption.

For n free spins at one bias (a :class:`~dimer_core.spins.langevin.SpinModel`) the noiseless LLG is
ṁ = K(m)·B(m), K = (1 + Pα)⁻¹P/ħS, P = blockdiag([m_a×]), B(m) = g + X·m (paper Eq. 8 solved for ṁ;
:mod:`dimer_core.spins.drift`).  A stationary state m* has m_a × B_a = 0 for every spin, i.e. B_a = b_a·m_a.
Moving along the spheres, δm = T·δq with T (3n × 2n) an orthonormal basis of the tangent planes, the flow
linearises to δq̇ = J·δq with (docs/modes.md)

    J = Tᵀ (1 + Pα)⁻¹ P (X − diag(b_a)) T / ħS        (1/ps).

Its eigenvalues λ = −Γ ± iω give each mode's frequency f = ω/2π and linewidth (full width at half
maximum of its Lorentzian line) Γ/π, both reported in GHz, and Q = ω/2Γ.  Every term the dynamics keeps
enters: the fields, the self DMI-like torque (in X), the full damping tensor with its W part (in α).
Re λ > 0 is a mode the bias drives (negative linewidth: the onset of switching or of auto-oscillation);
a real λ > 0 a saddle.

An rf field b·u·cos ωt on the spins ``on`` adds b·K(m*)·u to ṁ; the response of u·Σm is
χ(ω) = uᵀ T (−iω − J)⁻¹ Tᵀ K(m*) u (1/meV) and the power absorbed ½ω·Im χ(ω)·b² (meV/ps): Im χ > 0
for a passive line, < 0 where the bias drives the mode (gain).

States are found by relaxing the noiseless dynamics from seeds (the Heun kernel of
:mod:`dimer_core.spins.langevin` with the noise off and the damping scaled up, :data:`RELAX_DAMPING`) and
polishing by Newton's method on the torques m_a × B_a of the true model in tangent coordinates; along a
bias sweep each state is continued by Newton from the previous bias, so it is followed past the bias
where it loses stability.
"""
import numpy as np
import xarray as xr

from .langevin import SpinModel, trajectory
from ..params import unit_vector
from ..progress import Cancelled, cancelled

__all__ = ["GHZ_PER_RATE", "State", "tangent_basis", "torque", "mobility", "jacobian", "state_at", "stationary_states",
           "mode_table", "susceptibility", "mode_sweep", "stability_events"]

GHZ_PER_RATE = 1e3 / (2.0 * np.pi)
"""GHz per angular rate in rad/ps (f = ω/2π)."""

NEWTON_TOL = 1e-12
"""Newton stops when the largest torque |m_a × B_a| is below this fraction of the model's field scale."""

SAME_STATE = 1e-6
"""Two states closer than this (largest |Δm_a|) are one."""

CAPTURE = 0.05
"""A relaxation ends when Newton's method reaches a stable state this close (largest |Δm_a|) to where it is."""

RELAX_DAMPING = 0.2
"""While relaxing from a seed, the damping tensor is multiplied by κ ≥ 1 so that its largest entry is this.  The
stationary states are the same (m_a × B_a = 0 does not involve α); to first order in α each mode's decay (or
growth, where the bias drives it) rate is linear in α, so a state attracts under the scaled flow where it
attracts under the true one, except within O(κα)² of a change of stability; and the relaxation is κ times
shorter (the paper's dimer: α ≈ 0.01, κ ≈ 20).  Every state found is classified by the true Jacobian."""


class State:
    """A stationary state m* (3n,) at one bias with its linearisation.

    Attributes: ``m`` (3n,); ``eigenvalues`` (2n,) λ of J sorted by decreasing frequency (1/ps);
    ``stable``: every Re λ < 0; ``frequency``, ``linewidth`` (GHz, the n modes of positive frequency,
    or of the real eigenvalues where a mode is overdamped), ``q_factor``.
    """

    def __init__(self, m, eigenvalues):
        self.m = m
        lam = eigenvalues[np.lexsort((eigenvalues.real, -eigenvalues.imag))]
        self.eigenvalues = lam
        self.stable = bool(np.all(lam.real < 0))
        modes = _modes(lam)
        self.frequency = GHZ_PER_RATE * np.abs(modes.imag)
        self.linewidth = GHZ_PER_RATE * 2.0 * (-modes.real)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.q_factor = np.abs(modes.imag) / (-2.0 * modes.real)


def _modes(lam):
    """One eigenvalue per mode: the n with Im λ ≥ 0 of a conjugate pair; real eigenvalues (overdamped
    modes, saddles) in pairs as they come, the slower of each pair kept."""
    n = lam.size // 2
    pairs = lam[lam.imag > 0]
    real = np.sort_complex(lam[lam.imag == 0])[::-1]
    extra = real[: n - pairs.size]
    return np.concatenate([pairs[np.argsort(-pairs.imag)], extra])[:n]


def tangent_basis(m):
    """T (3n, 2n): per spin two orthonormal vectors perpendicular to m_a (a right-handed frame (e1, e2, m_a))."""
    n = m.size // 3
    t = np.zeros((3 * n, 2 * n))
    for a in range(n):
        ma = m[3 * a:3 * a + 3]
        helper = np.eye(3)[np.argmin(np.abs(ma))]
        e1 = np.cross(helper, ma)
        e1 /= np.linalg.norm(e1)
        t[3 * a:3 * a + 3, 2 * a] = e1
        t[3 * a:3 * a + 3, 2 * a + 1] = np.cross(ma, e1)
    return t


def _cross_blocks(m):
    n = m.size // 3
    p = np.zeros((3 * n, 3 * n))
    for a in range(n):
        x, y, z = m[3 * a:3 * a + 3]
        p[3 * a:3 * a + 3, 3 * a:3 * a + 3] = [[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]]
    return p


def torque(spins, b, m):
    """m_a × B_a for every spin (3n,), meV."""
    return _cross_blocks(m) @ spins.field(b, m)


def mobility(spins, b, m):
    """K = (1 + Pα)⁻¹ P/ħS (3n, 3n), 1/(meV·ps)."""
    p = _cross_blocks(m)
    return np.linalg.solve(np.eye(m.size) + p @ spins.alpha[b], p) / spins.hbar_s


def jacobian(spins, b, m):
    """J (2n, 2n), 1/ps, at a stationary state m (module docstring) and the tangent basis T it uses."""
    n = m.size // 3
    field = spins.field(b, m)
    parallel = np.repeat([field[3 * a:3 * a + 3] @ m[3 * a:3 * a + 3] for a in range(n)], 3)
    t = tangent_basis(m)
    return t.T @ mobility(spins, b, m) @ (spins.X[b] - np.diag(parallel)) @ t, t


def _normalised(m):
    m = m.reshape(-1, 3)
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).ravel()


def _newton(spins, b, m, iterations=50):
    """Polish m to a stationary state: Newton on Tᵀ(m × B(m)) = 0 in tangent coordinates; None if it fails."""
    scale = float(spins.field_scale()[b]) if spins.size else 1.0
    for _ in range(iterations):
        tau = torque(spins, b, m)
        if np.abs(tau).max() <= NEWTON_TOL * max(scale, 1e-300):
            return m
        t = tangent_basis(m)
        # d(m × B)/dm·v = v × B + m × (X v), tangent vectors v = T q
        p = _cross_blocks(m)
        field = spins.field(b, m)
        d = p @ spins.X[b] - _cross_blocks(field)
        try:
            step = np.linalg.solve(t.T @ d @ t, -(t.T @ tau))
        except np.linalg.LinAlgError:
            return None
        m = _normalised(m + t @ step)
    tau = torque(spins, b, m)
    return m if np.abs(tau).max() <= 1e3 * NEWTON_TOL * max(scale, 1e-300) else None


def state_at(spins, b, m):
    """The :class:`State` Newton's method reaches from m at bias ``b``, or None."""
    m = _newton(spins, b, _normalised(np.asarray(m, dtype=float)))
    if m is None:
        return None
    jac, _ = jacobian(spins, b, m)
    return State(m, np.linalg.eigvals(jac))


def _seeds(nspins):
    """Starting states: every spin along ±x, ±y, ±z and the eight cube diagonals, spins parallel and, for
    n > 1, alternating (antiparallel neighbours), each tilted by a fixed ~0.1 rad so that no seed sits on a
    symmetric stationary state that is not an attractor (the relaxation would stay there)."""
    axes = np.concatenate([np.eye(3), -np.eye(3), np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T
                           / np.sqrt(3.0)])
    seeds = [np.tile(a, nspins) for a in axes]
    if nspins > 1:
        seeds += [np.concatenate([a * (-1) ** s for s in range(nspins)]) for a in axes]
    tilt = 0.1 * np.random.default_rng(7).normal(size=(len(seeds), 3 * nspins))
    return [_normalised(s + t) for s, t in zip(seeds, tilt)]


def _relaxed_state(spins, b, m0, budget_steps=200_000):
    """The :class:`State` the noiseless dynamics from m0 (damping scaled by :data:`RELAX_DAMPING`) settles in.

    The dynamics runs in chunks of 4000 steps; after each, Newton's method (:func:`state_at`) is tried from
    where it is: a stable state within :data:`CAPTURE` of it ends the relaxation (the slow exponential approach
    is left to Newton's quadratic one).  Otherwise the relaxation goes on until the largest torque is below 1e-8
    of the field scale or ``budget_steps`` Heun steps are spent, and the state Newton reaches from there (which
    may be unstable, or None) is returned."""
    alpha = spins.alpha[b:b + 1]
    largest = float(np.abs(alpha).max())
    kappa = max(1.0, RELAX_DAMPING / largest) if largest > 0 else 1.0
    quiet = SpinModel(g=spins.g[b:b + 1], X=spins.X[b:b + 1], alpha=kappa * alpha,
                      noise=np.zeros_like(spins.noise[b:b + 1]), kt=np.zeros_like(spins.kt[b:b + 1]),
                      hbar_s=spins.hbar_s)
    dt = float(quiet.step_limits("stratonovich")[0][0])
    scale = float(quiet.field_scale()[0])
    m, done = np.asarray(m0, dtype=float), 0
    while done < budget_steps:
        chunk = min(4000, budget_steps - done)
        m = trajectory(quiet, 0, m, dt, chunk, every=chunk, calculus="stratonovich")[1][-1]
        done += chunk
        if np.abs(torque(quiet, 0, m)).max() < 1e-8 * scale:
            break
        state = state_at(spins, b, m)
        if state is not None and state.stable and np.abs(state.m - m).max() < CAPTURE:
            return state
    return state_at(spins, b, m)


def stationary_states(spins, b, seeds=None):
    """The distinct stationary states the noiseless dynamics relaxes to from ``seeds`` at bias ``b``
    (default :func:`_seeds`), polished by Newton: a list of :class:`State`, the stable ones first."""
    found = []
    for m0 in (_seeds(spins.nspins) if seeds is None else seeds):
        state = _relaxed_state(spins, b, m0)
        if state is not None and not any(np.abs(state.m - s.m).max() < SAME_STATE for s in found):
            found.append(state)
    return sorted(found, key=lambda s: not s.stable)


def mode_table(state):
    """Frequencies, linewidths (GHz) and Q of a :class:`State`'s modes, as a dict of arrays."""
    return {"frequency": state.frequency, "linewidth": state.linewidth, "q_factor": state.q_factor}


def susceptibility(spins, b, state, f_ghz, axis, on=None):
    """χ(f) (1/meV, complex) of u·Σ_a m_a to an rf field b·u·cos(2πf t) on the spins ``on`` (default all).

    ``axis``: the rf direction u (3,), normalised here; f_ghz (k,) in GHz.  Absorbed power ½ω·Im χ·b².
    """
    u = np.array(unit_vector("axis", axis))
    n = spins.nspins
    on = range(n) if on is None else on
    drive = np.zeros(3 * n)
    for a in on:
        if not 0 <= a < n:
            raise ValueError(f"spin {a + 1} is not a free spin; allowed: 1 … {n}")
        drive[3 * a:3 * a + 3] = u
    probe = np.tile(u, n)
    jac, t = jacobian(spins, b, state.m)
    source = t.T @ mobility(spins, b, state.m) @ drive
    omega = np.asarray(f_ghz, dtype=float) / GHZ_PER_RATE
    eye = np.eye(jac.shape[0])
    return np.array([probe @ t @ np.linalg.solve(-1j * w * eye - jac, source) for w in omega])


def mode_sweep(spins, V, max_states=4, valid=None, f_ghz=None, rf_axis=(1.0, 0.0, 0.0), progress=None, cancel=None):
    """States and modes at each bias of a :class:`~dimer_core.spins.langevin.SpinModel` (one bias per entry of V, mV).

    At each bias the states the dynamics relaxes to are found afresh, and every state of the previous bias is
    continued by Newton (so a state is followed past the bias where it turns unstable).  A state keeps its
    index along V while it is continued.  Biases where ``valid`` (nb,) is False are skipped (NaN).  Returns an
    :class:`xarray.Dataset` on (V, state, mode): frequency and linewidth (GHz), q_factor, stable (V, state),
    m (V, state, component); NaN where a state does not exist.  With ``f_ghz`` (GHz) also ``absorption``
    (V, state, f) = Im χ (1/meV) for an rf field along ``rf_axis`` on every spin (:func:`susceptibility`).
    ``progress(fraction, message)`` is told after each bias; ``cancel`` (:mod:`dimer_core.progress`) stops the sweep
    between biases with :class:`~dimer_core.progress.Cancelled`.
    """
    V = np.asarray(V, dtype=float)
    n = spins.nspins
    valid = np.ones(V.size, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    freq = np.full((V.size, max_states, n), np.nan)
    width, q = freq.copy(), freq.copy()
    m = np.full((V.size, max_states, 3 * n), np.nan)
    stable = np.zeros((V.size, max_states), dtype=bool)
    f_ghz = None if f_ghz is None else np.asarray(f_ghz, dtype=float)
    absorption = None if f_ghz is None else np.full((V.size, max_states, f_ghz.size), np.nan)
    branches = [None] * max_states
    dropped = 0
    for k in range(V.size):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {k} of {V.size} biases")
        if progress is not None:
            progress(k / V.size, f"bias {k + 1} of {V.size}")
        current = [None] * max_states
        if not valid[k]:
            branches = current
            continue
        for i, prev in enumerate(branches):
            if prev is not None:
                state = state_at(spins, k, prev.m)
                if state is not None and not any(c is not None and np.abs(c.m - state.m).max() < SAME_STATE
                                                  for c in current):
                    current[i] = state  # two branches that meet go on as the first
        for state in stationary_states(spins, k):
            if any(c is not None and np.abs(c.m - state.m).max() < SAME_STATE for c in current):
                continue
            free = [i for i, c in enumerate(current) if c is None and branches[i] is None] or \
                   [i for i, c in enumerate(current) if c is None]
            if not free:
                dropped += 1
                continue
            current[free[0]] = state
        for i, state in enumerate(current):
            if state is None:
                continue
            freq[k, i], width[k, i], q[k, i] = state.frequency, state.linewidth, state.q_factor
            m[k, i], stable[k, i] = state.m, state.stable
            if f_ghz is not None:
                absorption[k, i] = susceptibility(spins, k, state, f_ghz, rf_axis).imag
        branches = current
    comps = [f"m{a + 1}_{x}" for a in range(n) for x in "xyz"]
    ds = xr.Dataset(
        {"frequency": (("V", "state", "mode"), freq, {"units": "GHz", "description": "mode frequency ω/2π"}),
         "linewidth": (("V", "state", "mode"), width,
                       {"units": "GHz", "description": "full width at half maximum Γ/π (< 0: the bias drives it)"}),
         "q_factor": (("V", "state", "mode"), q, {"units": "1", "description": "quality factor ω/2Γ"}),
         "stable": (("V", "state"), stable, {"units": "1", "description": "every mode decays"}),
         "m": (("V", "state", "component"), m, {"units": "1", "description": "the stationary state"})},
        coords={"V": ("V", V, {"units": "mV", "long_name": "bias voltage"}), "state": np.arange(max_states),
                "mode": np.arange(n), "component": comps})
    if f_ghz is not None:
        ds["absorption"] = (("V", "state", "f"), absorption,
                            {"units": "1/meV", "description": f"Im χ for an rf field along {tuple(rf_axis)} "
                                                              "(power absorbed ½ω·Im χ·b²; < 0: gain)"})
        ds = ds.assign_coords(f=("f", f_ghz, {"units": "GHz", "long_name": "rf frequency"}))
    ds.attrs["states_dropped"] = dropped
    ds.attrs["events"] = "; ".join(stability_events(V, stable, np.isfinite(freq[..., 0]), width))
    return ds


def stability_events(V, stable, exists, width):
    """Where a state followed along V changes: it turns unstable (a linewidth crosses zero: the bias drives a
    mode, a Hopf-like onset of auto-oscillation or switching), becomes stable, or vanishes/appears (a mode
    went soft: a fold, where the state merges with a saddle).  Strings "V = a → b mV: state i …"."""
    out = []
    for k in range(1, len(V)):
        span = f"V = {V[k - 1]:g} → {V[k]:g} mV: state {{}}"
        for i in range(stable.shape[1]):
            before, after = exists[k - 1, i], exists[k, i]
            if before and not after:
                out.append(span.format(i) + " vanishes (a mode goes soft)")
            elif after and not before and k > 0 and exists[:k, i].any():
                out.append(span.format(i) + " appears")
            elif before and after and stable[k - 1, i] != stable[k, i]:
                lost = "loses" if stable[k - 1, i] else "gains"
                sign = np.nanmin(width[k, i]) < 0
                out.append(span.format(i) + f" {lost} stability" + (" (a linewidth turns negative)" if sign and
                                                                    lost == "loses" else ""))
    return out
