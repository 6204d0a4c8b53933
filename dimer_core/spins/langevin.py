"""The anisotropic stochastic LLG (paper Eqs. 3, 8) for n free spins: models, integrator, ensembles.

A :class:`SpinModel` holds n free spins at nb bias points: the field
B(m) = g + X·m (affine in the state m = (m_1, …, m_n)), the 3n × 3n damping α,
the noise intensity N = <ξξ> and, per spin, the temperature k_B·T_a of the
noise-induced drift's antisymmetric part.  :class:`PinnedSpinModel` (spin 2
with m_1 pinned, docs/physics.md, "One spin pinned") and :class:`DimerSpinModel`
(both spins free) build it.

The drift is that of :mod:`dimer_core.spins.drift`: K·(B + ξ) plus, with
``calculus="boltzmann"`` (the default), the noise-induced drift c that makes
exp(−E/k_B T) the stationary law at V = 0 for any damping (docs/stochastic.md).
The equation is read as Stratonovich and integrated by a scheme chosen by name
(:data:`dimer_core.spins.integrators.INTEGRATORS`): Heun's predictor–corrector, each
stage renormalised to |m_a| = 1 (the default), or the midpoint rule, whose steps
are rotations (docs/stochastic.md, "The midpoint integrator"); both weak order 1,
measured in tests/test_stochastic_calculus.py.

Ensembles run in parallel (numba ``prange``) over realizations × bias points.
Each trajectory seeds its own generator (:mod:`dimer_core.spins.rng`) from (seed,
trajectory, chunk) at the start of each chunk of steps, so results do not depend
on how threads share the work; between chunks the driver reports progress and
honours cancellation.  The kernels release the GIL, so a run in a worker thread
leaves a server responsive.

Where the model leaves its validity (:meth:`SpinModel.validity`: the W damping
turns the precession factor 1 + ω_a·m_a negative somewhere on the sphere, or
k_B·T_eff is not finite) a bias is not integrated: its results are NaN and the
reason is reported.
"""
import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .drift import calculus_flag, largest_correction, renormalise
from .integrators import advance as advance_trajectory, integrator_code
from ..progress import Cancelled, cancelled
from .rng import seed_state
from ..couplings.temperature import T_EFF_LIMIT
from ..units import K_B

MAX_STATE_BYTES = 2 * 2 ** 30
"""Largest memory a run may ask for (trajectories recorded, states): 2 GiB."""

MAX_RUN_STEPS = 20_000_000
"""Most steps per trajectory a run may ask for with explicit times (about a minute per trajectory group)."""


@njit(cache=True)
def _mix(seed, a, b):
    """A 32-bit seed from three integers (splitmix-style hashing)."""
    x = (seed * 0x9E3779B1 + a * 0x85EBCA77 + b * 0xC2B2AE3D + 0x27D4EB2F) & 0xFFFFFFFFFFFF
    x ^= x >> 17
    x = (x * 0xED5AD4BB) & 0xFFFFFFFFFFFF
    x ^= x >> 11
    return x & 0x7FFFFFFF


@njit(cache=True, parallel=True, nogil=True)
def _ensemble_chunk(code, states, valid, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, dt, nsteps, accumulate,
                    seed, first, chunk, sums):
    nb, nr = states.shape[0], states.shape[1]
    for k in prange(nb * nr):
        b = k // nr
        r = k % nr
        if not valid[b]:
            continue
        state = seed_state(_mix(seed, (first + b) * nr + r, chunk))
        acc = np.zeros(sums.shape[2])
        advance_trajectory(code, states[b, r], nsteps, dt, g[b], x[b], alpha[b], lnoise[b], noise[b], kt[b], inv_hs,
                           corrected, acc, accumulate, state)
        sums[b, r] += acc


@njit(cache=True, nogil=True)
def _trajectory(code, m, every, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, state, out):
    """Advance ``m`` by ``every`` steps per row of ``out``, recording m after each; the generator ``state``
    goes on from where it was, so a trajectory recorded piece by piece is the one recorded at once."""
    acc = np.zeros(1)
    for k in range(out.shape[0]):
        advance_trajectory(code, m, every, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, False, state)
        out[k] = m


def psd_sqrt(noise):
    """L with L Lᵀ = N for each matrix of a stack (symmetric square root, so N may be singular).

    Negative eigenvalues within 1e-6 of the stack's largest are the error of the maps route (≤ 5e-7 of each
    quantity's size at T = 0, README) and are cut to 0 (seen: −7e-3 beside 5e4 at the narrow-resonance
    corner, V = −100 mV); larger ones are refused."""
    w, u = np.linalg.eigh(noise)
    if np.any(w < -1e-6 * max(float(np.abs(w).max(initial=0.0)), 1e-200)):
        raise ValueError("noise intensity is not positive semidefinite (an impossible correlation)")
    return np.einsum("bij,bj,bkj->bik", u, np.sqrt(np.clip(w, 0.0, None)), u)


def _blocks(a, n):
    """The diagonal 3 × 3 blocks (nb, n, 3, 3) of a stack of 3n × 3n matrices."""
    return np.stack([a[:, 3 * s:3 * s + 3, 3 * s:3 * s + 3] for s in range(n)], axis=1)


def fitted_temperature(alpha, noise, hbar_s):
    """k_B·T_a (meV, (nb, n)): the T that best fits N_aa = 2 k_B T ħS αˢ_aa (least squares, Frobenius).

    Exact wherever the noise of spin a obeys fluctuation–dissipation at some T;
    0 for a spin without damping.
    """
    n = alpha.shape[-1] // 3
    a = _blocks(alpha, n)
    sym = 0.5 * (a + np.swapaxes(a, -1, -2))
    num = np.einsum("bsij,bsij->bs", _blocks(noise, n), sym)
    den = 2.0 * hbar_s * np.einsum("bsij,bsij->bs", sym, sym)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def precession_axes(alpha):
    """ω_a = ½ ε_ijk α_aa,ij (nb, n, 3): the antisymmetric part of α_aa as an axis (α_aa v ∋ v × ω_a).

    It renormalises precession: ħS·m × (α ṁ) ∋ ħS·(ω·m)·ṁ, so ħS·ṁ carries the factor
    1 + ω_a·m_a (docs/stochastic.md, "Limits of validity"; ω = Δ²·a_DM·that for spin 2).
    """
    a = _blocks(alpha, alpha.shape[-1] // 3)
    return 0.5 * np.stack([a[..., 1, 2] - a[..., 2, 1], a[..., 2, 0] - a[..., 0, 2], a[..., 0, 1] - a[..., 1, 0]],
                          axis=-1)


def _random_states(samples, nspins, seed=0):
    """``samples`` states (samples, 3n) of n unit vectors drawn uniformly (seeded)."""
    states = np.random.default_rng(seed).normal(size=(samples, nspins, 3))
    return (states / np.linalg.norm(states, axis=-1, keepdims=True)).reshape(samples, 3 * nspins)


STEPS_PER_TURN = 40
"""Default time steps per ħS/|rate|_max (the fastest precession, in radians)."""

DIFFUSION_PER_STEP = 0.005
"""Largest angular variance (rad²) the noise spreads a spin by in one default step.  The
scheme's weak error is O(dt) with a constant that grows with the noise: with a W part
at k_B T = 2.6 meV its bias on Omega was −0.6·dt/ps (tests/test_stochastic_calculus.py)."""

STIFFNESS_LIMIT = 1e3
"""A bias whose noise-induced drift or diffusion needs a step this many times below the precession step
is outside the model's validity (:meth:`SpinModel.validity`)."""

def validity(alpha, kt):
    """Where the slow-spin LLG holds: (valid (nb,) bool, reason per bias, '' where valid).

    alpha (nb, 3n, 3n): damping; kt (nb, n): k_B·T_a (meV).  Invalid: |ω_a| ≥ 1 for a spin
    (:func:`precession_axes`: 1 + ω_a·m_a reaches 0 on the sphere, the W damping reverses
    precession; docs/stochastic.md, "Limits of validity"), or |T_a| above :data:`T_EFF_LIMIT`
    or not finite (a^(i) ≈ 0 with noise), or a spin without symmetric damping (e.g. Δ = 0).
    """
    reasons = []
    blocks = _blocks(np.asarray(alpha, float), np.asarray(alpha).shape[-1] // 3)
    for w, t, damped in zip(np.linalg.norm(precession_axes(alpha), axis=-1), np.asarray(kt, float),
                            np.abs(blocks + np.swapaxes(blocks, -1, -2)).max(axis=(-1, -2))):
        why = []
        if np.any(w >= 1.0):
            why.append(f"the antisymmetric (W) damping |ω| = {w.max():.3g} >= 1 reverses precession "
                       "(1 + Δ²·a_DM·(m·that) <= 0 on the sphere)")
        if np.any(damped == 0.0):
            why.append("a free spin has no damping (e.g. Δ = 0): nothing relaxes it")
        elif not np.all(np.isfinite(t)):
            why.append(f"T_eff undefined: |T_eff| exceeds {T_EFF_LIMIT:g} K or is 0/0 (isotropic damping ≈ 0: "
                       "nothing balances the noise)")
        elif not np.all(np.abs(t) <= K_B * T_EFF_LIMIT):
            why.append(f"|T_eff| = {np.max(np.abs(t)) / K_B:.3g} K exceeds {T_EFF_LIMIT:g} K (isotropic damping "
                       "≈ 0: nothing balances the noise)")
        reasons.append("; ".join(why))
    return np.array([not r for r in reasons], dtype=bool), reasons


@dataclass(frozen=True)
class SpinModel:
    """n free spins at nb bias points, as the kernels take them.

    g (nb, 3n), X (nb, 3n, 3n): the field B(m) = g + X·m (meV); alpha (nb, 3n, 3n):
    damping (dimensionless); noise (nb, 3n, 3n): N = <ξξ> (meV²·ps), positive
    semidefinite; kt (nb, n): k_B·T_a (meV) of the noise-induced drift's
    antisymmetric part (docs/stochastic.md); hbar_s = ħ·S (meV·ps).
    """

    g: np.ndarray
    X: np.ndarray
    alpha: np.ndarray
    noise: np.ndarray
    kt: np.ndarray
    hbar_s: float

    @property
    def size(self):
        return self.g.shape[0]

    @property
    def nspins(self):
        return self.g.shape[1] // 3

    def field(self, b, m):
        """The field B(m) = g + X·m (meV, shape (3n,)) at bias index ``b`` for the stacked unit vectors ``m`` (3n,):
        the one NumPy form of the field the compiled drift evaluates (docs/physics.md, "The effective stochastic
        LLG")."""
        return self.g[b] + self.X[b] @ m

    def check(self, dt):
        if not (np.isfinite(dt) and dt > 0):
            raise ValueError(f"dt = {dt!r} is not a positive time step (ps)")
        if not (np.all(np.isfinite(self.alpha)) and np.all(np.isfinite(self.g)) and np.all(np.isfinite(self.X))):
            raise ValueError("the model has non-finite couplings")
        if self.hbar_s <= 0:
            raise ValueError(f"hbar_s = {self.hbar_s!r} must be positive (meV ps)")

    def validity(self):
        """(valid (nb,) bool, reason per bias ('' where valid)): :func:`validity`, and biases whose noise needs
        a step :data:`STIFFNESS_LIMIT` times below the precession step (the mobility (1 + Pα)⁻¹/ħS nearly
        singular on the sphere, where the symmetric damping is not positive definite, or a damping so
        strongly anisotropic that the soft direction diffuses 10³ times faster than the spin precesses)."""
        valid, reasons = validity(self.alpha, self.kt)
        precession, noise = self.step_limits()
        for b in np.flatnonzero(valid & (noise * STIFFNESS_LIMIT < precession)):
            valid[b] = False
            reasons[b] = (f"the noise-induced drift and diffusion need dt = {noise[b]:.2g} ps, "
                          f"{precession[b] / noise[b]:.2g} x below the precession step (largest damping entry "
                          f"{np.abs(self.alpha[b]).max():.3g}): the mobility (1 + P·alpha)^-1/hbar S is nearly "
                          "singular or the damping extreme; no step resolves it")
        return valid, reasons

    def step_limits(self, calculus="boltzmann"):
        """Largest Heun steps (ps) per bias: (ħS/|B|_max/:data:`STEPS_PER_TURN`, the same with the
        noise-induced drift |c|_max added to |B|_max and at most :data:`DIFFUSION_PER_STEP`/D_max)."""
        precession = self.hbar_s / np.maximum(self.field_scale(), 1e-6) / STEPS_PER_TURN
        drift = self.hbar_s / np.maximum(self.field_scale() + self.hbar_s * self.drift_scale(calculus),
                                         1e-6) / STEPS_PER_TURN
        return precession, np.minimum(drift, DIFFUSION_PER_STEP / np.maximum(self.diffusion_scale(), 1e-12))

    def noise_factor(self):
        return psd_sqrt(self.noise)

    def field_scale(self):
        """Largest torque-making field (meV) over the sphere(s), an upper bound per bias.

        A multiple of m_a in B_a exerts no torque (m_a × m_a = 0): the isotropic part
        of each diagonal block of X (e.g. the self term χ_aa^(i)) is left out.
        """
        x = np.array(self.X, float)
        for s in range(self.nspins):
            blk = x[:, 3 * s:3 * s + 3, 3 * s:3 * s + 3]
            blk -= np.trace(blk, axis1=-2, axis2=-1)[:, None, None] / 3.0 * np.eye(3)
        return np.linalg.norm(self.g, axis=-1) + np.abs(x).sum(axis=(-1, -2))

    def diffusion_scale(self, samples=64):
        """Largest eigenvalue of the diffusion tensor D = K N Kᵀ (1/ps) per bias over ``samples`` random states."""
        d = 3 * self.nspins
        states = _random_states(samples, self.nspins)
        p = np.zeros((samples, d, d))
        for s in range(self.nspins):
            p[:, 3 * s:3 * s + 3, 3 * s:3 * s + 3] = np.cross(states[:, None, 3 * s:3 * s + 3], -np.eye(3))
        k = np.linalg.solve(np.eye(d) + p[None] @ self.alpha[:, None], np.broadcast_to(p, (self.size,) + p.shape))
        diffusion = k @ self.noise[:, None] @ np.swapaxes(k, -1, -2) / self.hbar_s ** 2
        return np.linalg.eigvalsh(diffusion)[..., -1].max(axis=1)

    def drift_scale(self, calculus="boltzmann", samples=64):
        """Largest |noise-induced drift| (1/ps) per bias over ``samples`` random states (seeded)."""
        if not calculus_flag(calculus):
            return np.zeros(self.size)
        states = _random_states(samples, self.nspins)
        kt = np.where(np.isfinite(self.kt), self.kt, 0.0)
        return np.array([largest_correction(states, self.g[b], self.X[b], self.alpha[b], self.noise[b], kt[b],
                                            1.0 / self.hbar_s) for b in range(self.size)])


def cross_matrix(v):
    """[v×] with [v×]·u = v × u."""
    return np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])


@dataclass(frozen=True)
class PinnedSpinModel:
    """The pinned-dimer LLG at nb bias points (arrays with a leading bias axis).

    g (nb, 3) and Q (nb, 3, 3): E(m) = −g·m + m·Q·m (meV); b_dm (nb,): the field
    b_dm·(m × that) (meV); alpha (nb, 3, 3): damping (dimensionless); noise
    (nb, 3, 3): the intensity N = <ξξ> (meV²·ps), any positive semidefinite
    matrix; hbar_s = ħ·S (meV·ps); kt (nb,), optional: k_B·T_eff (meV) of the
    noise-induced drift (default: :func:`fitted_temperature`).
    """

    g: np.ndarray
    Q: np.ndarray
    b_dm: np.ndarray
    that: np.ndarray
    alpha: np.ndarray
    noise: np.ndarray
    hbar_s: float
    kt: np.ndarray = None

    @property
    def size(self):
        return self.g.shape[0]

    def field_scale(self):
        """Largest field magnitude (meV) over the sphere, an upper bound per bias."""
        return (np.linalg.norm(self.g, axis=-1) + 2 * np.abs(self.Q).sum(axis=(-1, -2))
                + np.abs(self.b_dm))

    def spins(self):
        """The :class:`SpinModel`: X = −2Q − b_dm·[that×] (b_dm·m × that = −b_dm·[that×]·m)."""
        x = -2.0 * np.asarray(self.Q, float) - np.asarray(self.b_dm, float)[:, None, None] * cross_matrix(self.that)
        return _assembled(self.g, x, self.alpha, self.noise, self.hbar_s, self.kt)


@dataclass(frozen=True)
class DimerSpinModel:
    """Both spins free at nb bias points.

    B_a = g_a − 2 Q0 m_a + Σ_b X_ab m_b with g (nb, 6) = (g_1, g_2), Q0 (3, 3) the
    bare quadratic form, X (nb, 6, 6) = (ΔS)²·χ (all four site blocks); alpha
    (nb, 6, 6) the nonlocal damping; noise (nb, 6, 6) the intensity <ξξ>
    (meV²·ps) with the cross-site correlations; hbar_s = ħS (meV·ps); kt (nb, 2),
    optional: k_B·T_eff,a (meV) per spin (default: :func:`fitted_temperature`).
    """

    g: np.ndarray
    Q0: np.ndarray
    X: np.ndarray
    alpha: np.ndarray
    noise: np.ndarray
    hbar_s: float
    kt: np.ndarray = None

    @property
    def size(self):
        return self.g.shape[0]

    def spins(self):
        x = np.array(self.X, float)
        for s in range(2):
            x[:, 3 * s:3 * s + 3, 3 * s:3 * s + 3] -= 2.0 * np.asarray(self.Q0, float)
        return _assembled(self.g, x, self.alpha, self.noise, self.hbar_s, self.kt)


def _assembled(g, x, alpha, noise, hbar_s, kt):
    """A :class:`SpinModel`; kt (nb,) or (nb, n), or None for :func:`fitted_temperature`."""
    g, alpha, noise = np.asarray(g, float), np.asarray(alpha, float), np.asarray(noise, float)
    kt = fitted_temperature(alpha, noise, hbar_s) if kt is None else np.asarray(kt, float).reshape(g.shape[0], -1)
    return SpinModel(g=g, X=x, alpha=alpha, noise=noise, kt=kt, hbar_s=hbar_s)


def _spin_model(model):
    return model if isinstance(model, SpinModel) else model.spins()


def _check_run(nb, nr, dt, doubles_per_run):
    if nr < 2:
        raise ValueError(f"n_realizations = {nr} is too small; allowed: at least 2 (for an error bar)")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt = {dt!r} is not a positive time step (ps)")
    if nb * nr * doubles_per_run * 8 > MAX_STATE_BYTES:
        raise ValueError(f"{nb} bias points x {nr} realizations would not fit in memory; lower n_realizations")


def _run_chunks(advance, n_burn, n_average, chunks, progress, cancel, every=1):
    """Call ``advance(chunk, steps, averaging)`` over burn-in then averaging, with progress and cancel.

    ``steps`` count units of ``every`` time steps each (a recorded point of a trajectory); progress and
    cancellation messages count time steps.
    """
    if n_average < 1 or n_burn < 0:
        raise ValueError("need n_burn >= 0 and n_average >= 1 steps")
    total = n_burn + n_average
    done = 0
    for c, (steps, averaging) in enumerate(_chunk_plan(n_burn, n_average, chunks)):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {done * every} of {total * every} steps")
        advance(c, steps, averaging)
        done += steps
        if progress is not None:
            progress(done / total, f"{done * every}/{total * every} steps")


def ensemble(model, n_realizations, dt, n_burn, n_average, seed=0, m0=None, progress=None, cancel=None,
             chunks=50, first_index=0, calculus="boltzmann", integrator="heun"):
    """Time- and ensemble-averaged observables with their standard errors at every bias of ``model``.

    Parameters
    ----------
    model : SpinModel, PinnedSpinModel or DimerSpinModel
    n_realizations : int
        Independent trajectories per bias point.
    dt : float
        Time step (ps).
    n_burn, n_average : int
        Steps discarded, then averaged.
    seed : int
        Results are a function of (seed, inputs) only.
    m0 : array (3n,) or (nb, nr, 3n), optional
        Initial directions (default: uniformly random, from the seed).
    progress, cancel : hooks of :mod:`dimer_core.progress`.
    first_index : int
        Index of the model's first bias in a longer sweep: the run then draws
        exactly the random numbers (initial directions and noise) of those biases
        in the whole sweep, so a sweep split into pieces gives the same numbers.
    calculus : "boltzmann" or "stratonovich", see :data:`dimer_core.spins.drift.CALCULI`.
    integrator : "heun" or "midpoint", see :data:`dimer_core.spins.integrators.INTEGRATORS`.

    Returns
    -------
    mean, err : arrays (nb, 3n + n(n−1)/2)
        Columns m_1 (3), …, m_n (3), then m_a·m_b for a < b; mean and standard error
        (spread of per-realization time averages / √nr).  NaN at biases outside the
        model's validity (:meth:`SpinModel.validity`).
    """
    spins = _spin_model(model)
    corrected = calculus_flag(calculus)
    code = integrator_code(integrator)
    nb, nr, d = spins.size, int(n_realizations), 3 * spins.nspins
    n_out = d + spins.nspins * (spins.nspins - 1) // 2
    _check_run(nb, nr, dt, 2 * d + n_out)
    spins.check(dt)
    if first_index < 0:
        raise ValueError(f"first_index = {first_index} must be >= 0")
    valid, _ = spins.validity()
    lnoise = spins.noise_factor()
    rng = np.random.default_rng(seed)
    if m0 is None:
        states = rng.normal(size=(first_index + nb, nr, d))[first_index:]
    else:
        states = np.broadcast_to(np.asarray(m0, float), (nb, nr, d)).copy()
    for s in range(spins.nspins):
        states[..., 3 * s:3 * s + 3] /= np.linalg.norm(states[..., 3 * s:3 * s + 3], axis=-1, keepdims=True)
    sums = np.zeros((nb, nr, n_out))
    kt = np.where(np.isfinite(spins.kt), spins.kt, 0.0)

    def advance(chunk, steps, averaging):
        _ensemble_chunk(code, states, valid, spins.g, spins.X, spins.alpha, lnoise, spins.noise, kt, 1.0 / spins.hbar_s,
                        corrected, dt, steps, averaging, seed, first_index, chunk, sums)

    _run_chunks(advance, n_burn, n_average, chunks, progress, cancel)
    means = sums / n_average
    mean, err = means.mean(axis=1), means.std(axis=1, ddof=1) / np.sqrt(nr)
    mean[~valid] = np.nan
    err[~valid] = np.nan
    return mean, err


STEPS_PER_SECOND = {1: 2.0e7, 2: 2.0e6}
"""Trajectory steps per second that :func:`ensemble` advances on 2 quiet cores (warm numba cache), by number
of free spins: one spin 2.0–2.2e7 (benchmarks/bench_dynamics.py, README), both spins of the dimer 2.0e6 (its
3n × 3n drift costs about 10 times more per step).  They size the probe of :func:`ensemble_seconds`."""


def ensemble_seconds(model, n_realizations, n_steps, dt, calculus="boltzmann", probe=0.05, integrator="heun"):
    """Estimated wall time (s) of :func:`ensemble` over ``n_steps`` (burn-in and averaging) per trajectory.

    Measured, not assumed: the same trajectories (biases outside the model's validity are skipped, as in
    the run) are advanced for a few steps, about ``probe`` seconds at :data:`STEPS_PER_SECOND`, and the
    time is scaled to ``n_steps``.  The estimate so holds for this machine under its present load.
    """
    spins = _spin_model(model)
    n_valid = int(np.count_nonzero(spins.validity()[0]))
    if n_valid == 0:
        return 0.0
    rate = STEPS_PER_SECOND.get(spins.nspins, STEPS_PER_SECOND[2] * (2 / spins.nspins) ** 3)
    steps = int(min(n_steps, max(1, probe * rate / (n_valid * int(n_realizations)))))
    start = time.perf_counter()
    ensemble(spins, n_realizations, dt, 0, steps, calculus=calculus, chunks=1, integrator=integrator)
    return (time.perf_counter() - start) * int(n_steps) / steps


def _chunk_plan(n_burn, n_average, chunks):
    """Split burn-in and averaging into about ``chunks`` pieces: list of (steps, averaging?)."""
    total = n_burn + n_average
    size = max(1, int(math.ceil(total / chunks)))
    plan = []
    for n, averaging in ((n_burn, False), (n_average, True)):
        while n > 0:
            s = min(size, n)
            plan.append((s, averaging))
            n -= s
    return plan


def trajectory(model, index, m0, dt, n_steps, every=1, seed=0, calculus="boltzmann", progress=None, cancel=None,
               chunks=50, integrator="heun"):
    """One trajectory m(t) at bias ``index`` of ``model``: (times (ps), m (n, 3n)).

    m is recorded every ``every`` steps.  ``progress`` and ``cancel`` (hooks of :mod:`dimer_core.progress`) are
    called between about ``chunks`` pieces; the pieces continue one random stream, so the trajectory does not
    depend on them.  ``integrator``: see :data:`dimer_core.spins.integrators.INTEGRATORS`.  Raises ``ValueError``
    where the bias is outside the model's validity.
    """
    spins = _spin_model(model)
    spins.check(dt)
    corrected = calculus_flag(calculus)
    code = integrator_code(integrator)
    valid, reasons = spins.validity()
    if not valid[index]:
        raise ValueError(f"outside the model's validity: {reasons[index]}")
    d = 3 * spins.nspins
    n_points = n_steps // every + 1
    if n_points * d * 8 > MAX_STATE_BYTES:
        raise ValueError(f"n_steps = {n_steps} recorded every {every} would not fit in memory; raise 'every'")
    lnoise = spins.noise_factor()
    m = np.array(np.broadcast_to(np.asarray(m0, float), (d,)))
    renormalise(m)
    path = np.empty((n_points, d))
    path[0] = m
    state = seed_state(_mix(seed, 0, 0))
    done = [1]  # rows of path written

    def advance(chunk, rows, averaging):
        _trajectory(code, m, every, dt, spins.g[index], spins.X[index], spins.alpha[index], lnoise[index],
                    spins.noise[index], spins.kt[index], 1.0 / spins.hbar_s, corrected, state,
                    path[done[0]:done[0] + rows])
        done[0] += rows

    if n_points > 1:
        _run_chunks(advance, 0, n_points - 1, chunks, progress, cancel, every=every)
    return dt * every * np.arange(n_points), path

__all__ = ["MAX_STATE_BYTES", "MAX_RUN_STEPS", "psd_sqrt", "fitted_temperature", "precession_axes", "STEPS_PER_TURN",
           "DIFFUSION_PER_STEP", "STIFFNESS_LIMIT", "validity", "SpinModel", "cross_matrix", "PinnedSpinModel",
           "DimerSpinModel", "ensemble", "STEPS_PER_SECOND", "ensemble_seconds", "trajectory"]
