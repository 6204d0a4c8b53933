"""The anisotropic stochastic LLG (paper Eqs. 3, 8): integrator and ensembles.

For one free spin (m_1 pinned; PHYSICS.md "One spin pinned"):

    ħS ṁ = m × [B(m) + ξ − ħS α ṁ],   B(m) = g − 2Q m + b_dm (m × that),
    <ξ_i(t) ξ_j(t')> = N_ij δ(t − t'),   N = Δ²(j^(i) 1 + j^(an) that⊗that),
    α = Δ²(a^(i) 1 + a^(an) that⊗that + a^(DM) W)

ṁ is solved for exactly at each evaluation, (1 + [m]_× α) ṁ = m × (B + ξ)/ħS, so
the full tensor α, its antisymmetric part included, acts as in the equation.  The
integrator is Heun's predictor–corrector (the Stratonovich interpretation), with
both stages renormalised to |m| = 1.  Both spins free (PHYSICS.md "Beyond the
paper") is the same with a 6-vector state, the 6×6 damping (α_11, α_12, α_21, α_22)
and noise correlated between the sites.

Ensembles run in parallel (numba ``prange``) over realizations × bias points.
Each trajectory seeds its own generator (:mod:`dimer_core.rng`) from (seed,
trajectory, chunk) at the start of each chunk of steps, so results do not depend on how threads share the
work; between chunks the driver reports progress and honours cancellation.  The
kernels release the GIL, so a run in a worker thread leaves a server responsive.
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .progress import Cancelled, cancelled
from .rng import normal, seed_state

MAX_STATE_BYTES = 2 * 2 ** 30
"""Largest memory a run may ask for (trajectories recorded, states): 2 GiB."""


@njit(cache=True)
def _mix(seed, a, b):
    """A 32-bit seed from three integers (splitmix-style hashing)."""
    x = (seed * 0x9E3779B1 + a * 0x85EBCA77 + b * 0xC2B2AE3D + 0x27D4EB2F) & 0xFFFFFFFFFFFF
    x ^= x >> 17
    x = (x * 0xED5AD4BB) & 0xFFFFFFFFFFFF
    x ^= x >> 11
    return x & 0x7FFFFFFF


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _rate(m0, m1, m2, x0, x1, x2, g, q, bdm, that, alpha, inv_hs):
    """ṁ of one spin: solve (1 + [m]_× α) ṁ = m × (B(m) + ξ)/ħS (scalars, no allocation)."""
    f0 = g[0] - 2.0 * (q[0, 0] * m0 + q[0, 1] * m1 + q[0, 2] * m2) + x0 + bdm * (m1 * that[2] - m2 * that[1])
    f1 = g[1] - 2.0 * (q[1, 0] * m0 + q[1, 1] * m1 + q[1, 2] * m2) + x1 + bdm * (m2 * that[0] - m0 * that[2])
    f2 = g[2] - 2.0 * (q[2, 0] * m0 + q[2, 1] * m1 + q[2, 2] * m2) + x2 + bdm * (m0 * that[1] - m1 * that[0])
    r0 = (m1 * f2 - m2 * f1) * inv_hs
    r1 = (m2 * f0 - m0 * f2) * inv_hs
    r2 = (m0 * f1 - m1 * f0) * inv_hs
    # a = 1 + [m]_× α, column j = e_j + m × α[:, j]
    a00 = 1.0 + m1 * alpha[2, 0] - m2 * alpha[1, 0]
    a10 = m2 * alpha[0, 0] - m0 * alpha[2, 0]
    a20 = m0 * alpha[1, 0] - m1 * alpha[0, 0]
    a01 = m1 * alpha[2, 1] - m2 * alpha[1, 1]
    a11 = 1.0 + m2 * alpha[0, 1] - m0 * alpha[2, 1]
    a21 = m0 * alpha[1, 1] - m1 * alpha[0, 1]
    a02 = m1 * alpha[2, 2] - m2 * alpha[1, 2]
    a12 = m2 * alpha[0, 2] - m0 * alpha[2, 2]
    a22 = 1.0 + m0 * alpha[1, 2] - m1 * alpha[0, 2]
    c00 = a11 * a22 - a12 * a21
    c01 = a12 * a20 - a10 * a22
    c02 = a10 * a21 - a11 * a20
    inv = 1.0 / (a00 * c00 + a01 * c01 + a02 * c02)
    y0 = (r0 * c00 + r1 * (a02 * a21 - a01 * a22) + r2 * (a01 * a12 - a02 * a11)) * inv
    y1 = (r0 * c01 + r1 * (a00 * a22 - a02 * a20) + r2 * (a02 * a10 - a00 * a12)) * inv
    y2 = (r0 * c02 + r1 * (a01 * a20 - a00 * a21) + r2 * (a00 * a11 - a01 * a10)) * inv
    return y0, y1, y2


LANES = 4
"""Trajectories one thread advances together, as a structure of arrays.  The rate of
:func:`_rate` is then evaluated for all lanes in one unrolled loop whose independent
chains the processor overlaps (74–78 instead of 100 ns per spin-step on one core of
this machine); each lane keeps its own generator, so the numbers drawn are those of
a trajectory advanced alone.  The kernels use ``error_model="numpy"``: a division
carries no ZeroDivisionError check (1.1× faster).  The divisors are det(1 + [m]_× α)
(1 + a² for isotropic damping a) and |m| ≈ 1 in the renormalisations."""


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _rate_lanes(m, x, g, q, bdm, that, alpha, inv_hs, out):
    """:func:`_rate` for every lane: m, x, out are (3, LANES)."""
    for j in range(LANES):
        out[0, j], out[1, j], out[2, j] = _rate(m[0, j], m[1, j], m[2, j], x[0, j], x[1, j], x[2, j],
                                                g, q, bdm, that, alpha, inv_hs)


@njit(cache=True, fastmath=True, error_model="numpy")
def _heun_steps(m, nsteps, dt, g, q, bdm, that, alpha, noise, inv_hs, acc, accumulate, states):
    """Advance the spins m (k, 3), k <= LANES, spin j drawing from its generator states[j], by nsteps Heun
    steps; add each spin to acc (k, 3) after each step if accumulate.  Lanes beyond k repeat spin 0 without
    noise and are discarded."""
    k = m.shape[0]
    sq = 1.0 / math.sqrt(dt)
    mm = np.empty((3, LANES))
    x = np.zeros((3, LANES))
    k1 = np.empty((3, LANES))
    k2 = np.empty((3, LANES))
    p = np.empty((3, LANES))
    for j in range(LANES):
        for i in range(3):
            mm[i, j] = m[min(j, k - 1), i]
    for _ in range(nsteps):
        for j in range(k):
            z0 = normal(states[j])
            z1 = normal(states[j])
            z2 = normal(states[j])
            for i in range(3):
                x[i, j] = (noise[i, 0] * z0 + noise[i, 1] * z1 + noise[i, 2] * z2) * sq
        _rate_lanes(mm, x, g, q, bdm, that, alpha, inv_hs, k1)
        for j in range(LANES):  # predictor, renormalised
            p0, p1, p2 = mm[0, j] + dt * k1[0, j], mm[1, j] + dt * k1[1, j], mm[2, j] + dt * k1[2, j]
            n = 1.0 / math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
            p[0, j], p[1, j], p[2, j] = p0 * n, p1 * n, p2 * n
        _rate_lanes(p, x, g, q, bdm, that, alpha, inv_hs, k2)
        for j in range(LANES):  # corrector, renormalised
            m0 = mm[0, j] + 0.5 * dt * (k1[0, j] + k2[0, j])
            m1 = mm[1, j] + 0.5 * dt * (k1[1, j] + k2[1, j])
            m2 = mm[2, j] + 0.5 * dt * (k1[2, j] + k2[2, j])
            n = 1.0 / math.sqrt(m0 * m0 + m1 * m1 + m2 * m2)
            mm[0, j], mm[1, j], mm[2, j] = m0 * n, m1 * n, m2 * n
        if accumulate:
            for j in range(k):
                for i in range(3):
                    acc[j, i] += mm[i, j]
    for j in range(k):
        for i in range(3):
            m[j, i] = mm[i, j]
    return m


@njit(cache=True, parallel=True, nogil=True)
def _ensemble_chunk(states, g, q, bdm, that, alpha, noise, inv_hs, dt, nsteps, accumulate, seed, first, chunk, sums):
    nb, nr = states.shape[0], states.shape[1]
    groups = (nr + LANES - 1) // LANES
    for k in prange(nb * groups):
        b = k // groups
        r0 = (k % groups) * LANES
        r1 = min(r0 + LANES, nr)
        rng = np.empty((r1 - r0, 4), dtype=np.uint64)
        for r in range(r0, r1):
            rng[r - r0] = seed_state(_mix(seed, first * nr + b * nr + r, chunk))
        acc = np.zeros((r1 - r0, 3))
        _heun_steps(states[b, r0:r1], nsteps, dt, g[b], q[b], bdm[b], that, alpha[b], noise[b], inv_hs, acc,
                    accumulate, rng)
        sums[b, r0:r1] += acc


@njit(cache=True, nogil=True)
def _trajectory(m, nsteps, every, dt, g, q, bdm, that, alpha, noise, inv_hs, seed):
    rng = seed_state(_mix(seed, 0, 0)).reshape((1, 4))
    spin = m.reshape((1, 3))
    out = np.empty((nsteps // every + 1, 3))
    out[0] = m
    acc = np.zeros((1, 3))
    for k in range(nsteps // every):
        _heun_steps(spin, every, dt, g, q, bdm, that, alpha, noise, inv_hs, acc, False, rng)
        out[k + 1] = spin[0]
    return out


def psd_sqrt(noise):
    """L with L Lᵀ = N for each matrix of a stack (symmetric square root, so N may be singular)."""
    w, u = np.linalg.eigh(noise)
    if np.any(w < -1e-9 * np.maximum(np.abs(w).max(axis=-1, keepdims=True), 1e-300)):
        raise ValueError("noise intensity is not positive semidefinite (an impossible correlation)")
    return np.einsum("bij,bj,bkj->bik", u, np.sqrt(np.clip(w, 0.0, None)), u)


def _check_run(nb, nr, dt, doubles_per_run):
    if nr < 2:
        raise ValueError(f"n_realizations = {nr} is too small; allowed: at least 2 (for an error bar)")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt = {dt!r} is not a positive time step (ps)")
    if nb * nr * doubles_per_run * 8 > MAX_STATE_BYTES:
        raise ValueError(f"{nb} bias points x {nr} realizations would not fit in memory; lower n_realizations")


def _run_chunks(advance, n_burn, n_average, chunks, progress, cancel):
    """Call ``advance(chunk, steps, averaging)`` over burn-in then averaging, with progress and cancel."""
    if n_average < 1 or n_burn < 0:
        raise ValueError("need n_burn >= 0 and n_average >= 1 steps")
    total = n_burn + n_average
    done = 0
    for c, (steps, averaging) in enumerate(_chunk_plan(n_burn, n_average, chunks)):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {done} of {total} steps")
        advance(c, steps, averaging)
        done += steps
        if progress is not None:
            progress(done / total, f"{done}/{total} steps")


class _BiasStack:
    """Shared behaviour of the models: a leading bias axis and a noise intensity ``noise``."""

    @property
    def size(self):
        return self.g.shape[0]

    def noise_factor(self):
        return psd_sqrt(self.noise)


@dataclass(frozen=True)
class PinnedSpinModel(_BiasStack):
    """The pinned-dimer LLG at nb bias points (arrays with a leading bias axis).

    g (nb, 3) and Q (nb, 3, 3): E(m) = −g·m + m·Q·m (meV); b_dm (nb,): the field
    b_dm·(m × that) (meV); alpha (nb, 3, 3): damping (dimensionless); noise
    (nb, 3, 3): the intensity N = <ξξ> (meV²·ps), any positive semidefinite
    matrix; hbar_s = ħ·S (meV·ps).
    """

    g: np.ndarray
    Q: np.ndarray
    b_dm: np.ndarray
    that: np.ndarray
    alpha: np.ndarray
    noise: np.ndarray
    hbar_s: float


    def check(self, dt):
        if not (np.isfinite(dt) and dt > 0):
            raise ValueError(f"dt = {dt!r} is not a positive time step (ps)")
        if not (np.all(np.isfinite(self.alpha)) and np.all(np.isfinite(self.g)) and np.all(np.isfinite(self.Q))):
            raise ValueError("the model has non-finite couplings")
        if self.hbar_s <= 0:
            raise ValueError(f"hbar_s = {self.hbar_s!r} must be positive (meV ps)")

    def field_scale(self):
        """Largest field magnitude (meV) over the sphere, an upper bound per bias."""
        return (np.linalg.norm(self.g, axis=-1) + 2 * np.abs(self.Q).sum(axis=(-1, -2))
                + np.abs(self.b_dm))


def ensemble(model, n_realizations, dt, n_burn, n_average, seed=0, m0=None, progress=None, cancel=None,
             chunks=50, first_index=0):
    """Time- and ensemble-averaged <m> with its standard error at every bias of ``model``.

    Parameters
    ----------
    model : PinnedSpinModel
    n_realizations : int
        Independent trajectories per bias point.
    dt : float
        Time step (ps).
    n_burn, n_average : int
        Steps discarded, then averaged.
    seed : int
        Results are a function of (seed, inputs) only.
    m0 : array (3,) or (nb, nr, 3), optional
        Initial directions (default: uniformly random, from the seed).
    progress, cancel : hooks of :mod:`dimer_core.progress`.
    first_index : int
        Index of the model's first bias in a longer sweep: the run then draws
        exactly the random numbers (initial directions and noise) of those biases
        in the whole sweep, so a sweep split into pieces gives the same numbers.

    Returns
    -------
    omega, err : arrays (nb, 3)
        Mean and standard error (spread of per-realization time averages / √nr).
    """
    nb, nr = model.size, int(n_realizations)
    _check_run(nb, nr, dt, 6)
    model.check(dt)
    if first_index < 0:
        raise ValueError(f"first_index = {first_index} must be >= 0")
    noise = model.noise_factor()
    rng = np.random.default_rng(seed)
    if m0 is None:
        states = rng.normal(size=(first_index + nb, nr, 3))[first_index:]
    else:
        states = np.broadcast_to(np.asarray(m0, float), (nb, nr, 3)).copy()
    states /= np.linalg.norm(states, axis=-1, keepdims=True)
    sums = np.zeros((nb, nr, 3))

    def advance(chunk, steps, averaging):
        _ensemble_chunk(states, model.g, model.Q, model.b_dm, model.that, model.alpha, noise, 1.0 / model.hbar_s,
                        dt, steps, averaging, seed, first_index, chunk, sums)

    _run_chunks(advance, n_burn, n_average, chunks, progress, cancel)
    means = sums / n_average
    return means.mean(axis=1), means.std(axis=1, ddof=1) / np.sqrt(nr)


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


def trajectory(model, index, m0, dt, n_steps, every=1, seed=0):
    """One trajectory m(t) at bias ``index`` of ``model``: (times (ps), m (n, 3))."""
    model.check(dt)
    n_points = n_steps // every + 1
    if n_points * 3 * 8 > MAX_STATE_BYTES:
        raise ValueError(f"n_steps = {n_steps} recorded every {every} would not fit in memory; raise 'every'")
    noise = model.noise_factor()
    m0 = np.asarray(m0, float)
    m0 = m0 / np.linalg.norm(m0)
    path = _trajectory(m0.copy(), n_steps, every, dt, model.g[index], model.Q[index], model.b_dm[index], model.that,
                       model.alpha[index], noise[index], 1.0 / model.hbar_s, seed)
    return dt * every * np.arange(path.shape[0]), path


@njit(cache=True)
def _solve6(a, b):
    """x with a @ x = b, Gaussian elimination with partial pivoting (a, b overwritten)."""
    n = 6
    for c in range(n):
        p = c
        for r in range(c + 1, n):
            if abs(a[r, c]) > abs(a[p, c]):
                p = r
        if p != c:
            for k in range(n):
                a[c, k], a[p, k] = a[p, k], a[c, k]
            b[c], b[p] = b[p], b[c]
        for r in range(c + 1, n):
            f = a[r, c] / a[c, c]
            for k in range(c, n):
                a[r, k] -= f * a[c, k]
            b[r] -= f * b[c]
    x = np.empty(n)
    for r in range(n - 1, -1, -1):
        s = b[r]
        for k in range(r + 1, n):
            s -= a[r, k] * x[k]
        x[r] = s / a[r, r]
    return x


@njit(cache=True)
def _dimer_rate(m, xi, g, q0, x6, alpha6, inv_hs, a, rhs):
    """ṁ (6,) of both spins: (1 + diag([m_a]_×) α6) ṁ = (m_a × (B_a + ξ_a))/ħS."""
    for s in range(2):
        o = 3 * s
        f = np.empty(3)
        for i in range(3):
            acc = g[o + i] + xi[o + i]
            for j in range(3):
                acc -= 2.0 * q0[i, j] * m[o + j]
            for j in range(6):
                acc += x6[o + i, j] * m[j]
            f[i] = acc
        rhs[o + 0] = (m[o + 1] * f[2] - m[o + 2] * f[1]) * inv_hs
        rhs[o + 1] = (m[o + 2] * f[0] - m[o + 0] * f[2]) * inv_hs
        rhs[o + 2] = (m[o + 0] * f[1] - m[o + 1] * f[0]) * inv_hs
        for j in range(6):
            a[o + 0, j] = m[o + 1] * alpha6[o + 2, j] - m[o + 2] * alpha6[o + 1, j]
            a[o + 1, j] = m[o + 2] * alpha6[o + 0, j] - m[o + 0] * alpha6[o + 2, j]
            a[o + 2, j] = m[o + 0] * alpha6[o + 1, j] - m[o + 1] * alpha6[o + 0, j]
    for i in range(6):
        a[i, i] += 1.0
    return _solve6(a, rhs)


@njit(cache=True)
def _renorm6(m):
    for s in range(2):
        n = math.sqrt(m[3 * s] ** 2 + m[3 * s + 1] ** 2 + m[3 * s + 2] ** 2)
        for i in range(3):
            m[3 * s + i] /= n


@njit(cache=True)
def _dimer_steps(m, nsteps, dt, g, q0, x6, alpha6, noise6, inv_hs, acc, accumulate, state):
    """Heun steps of both spins; acc[0:3] += m_1, acc[3:6] += m_2, acc[6] += m_1·m_2 if accumulate."""
    sq = 1.0 / math.sqrt(dt)
    z = np.empty(6)
    xi = np.empty(6)
    a = np.empty((6, 6))
    rhs = np.empty(6)
    mp = np.empty(6)
    for _ in range(nsteps):
        for i in range(6):
            z[i] = normal(state)
        for i in range(6):
            s = 0.0
            for j in range(6):
                s += noise6[i, j] * z[j]
            xi[i] = s * sq
        k1 = _dimer_rate(m, xi, g, q0, x6, alpha6, inv_hs, a, rhs)
        for i in range(6):
            mp[i] = m[i] + dt * k1[i]
        _renorm6(mp)
        k2 = _dimer_rate(mp, xi, g, q0, x6, alpha6, inv_hs, a, rhs)
        for i in range(6):
            m[i] += 0.5 * dt * (k1[i] + k2[i])
        _renorm6(m)
        if accumulate:
            for i in range(6):
                acc[i] += m[i]
            acc[6] += m[0] * m[3] + m[1] * m[4] + m[2] * m[5]


@njit(cache=True, parallel=True, nogil=True)
def _dimer_chunk(states, g, q0, x6, alpha6, noise6, inv_hs, dt, nsteps, accumulate, seed, chunk, sums):
    nb, nr = states.shape[0], states.shape[1]
    for k in prange(nb * nr):
        b = k // nr
        r = k % nr
        state = seed_state(_mix(seed, k, chunk))
        acc = np.zeros(7)
        _dimer_steps(states[b, r], nsteps, dt, g[b], q0, x6[b], alpha6[b], noise6[b], inv_hs, acc, accumulate, state)
        sums[b, r] += acc


@dataclass(frozen=True)
class DimerSpinModel(_BiasStack):
    """Both spins free at nb bias points.

    B_a = g_a − 2 Q0 m_a + Σ_b X_ab m_b with g (nb, 6) = (g_1, g_2), Q0 (3, 3) the
    bare quadratic form, X (nb, 6, 6) = (ΔS)²·χ (all four site blocks); alpha
    (nb, 6, 6) the nonlocal damping; noise (nb, 6, 6) the intensity <ξξ>
    (meV²·ps) with the cross-site correlations; hbar_s = ħS (meV·ps).
    """

    g: np.ndarray
    Q0: np.ndarray
    X: np.ndarray
    alpha: np.ndarray
    noise: np.ndarray
    hbar_s: float



def dimer_ensemble(model, n_realizations, dt, n_burn, n_average, seed=0, m0=None, progress=None, cancel=None,
                   chunks=50):
    """Means of m_1, m_2 and m_1·m_2 with standard errors at every bias of a :class:`DimerSpinModel`.

    Returns ``(mean, err)``, arrays (nb, 7): columns m_1 (3), m_2 (3), m_1·m_2.
    """
    nb, nr = model.size, int(n_realizations)
    _check_run(nb, nr, dt, 13)
    noise = model.noise_factor()
    rng = np.random.default_rng(seed)
    states = rng.normal(size=(nb, nr, 6)) if m0 is None else np.broadcast_to(np.asarray(m0, float), (nb, nr, 6)).copy()
    for s in range(2):
        states[..., 3 * s:3 * s + 3] /= np.linalg.norm(states[..., 3 * s:3 * s + 3], axis=-1, keepdims=True)
    sums = np.zeros((nb, nr, 7))

    def advance(chunk, steps, averaging):
        _dimer_chunk(states, model.g, model.Q0, model.X, model.alpha, noise, 1.0 / model.hbar_s, dt, steps,
                     averaging, seed, chunk, sums)

    _run_chunks(advance, n_burn, n_average, chunks, progress, cancel)
    means = sums / n_average
    return means.mean(axis=1), means.std(axis=1, ddof=1) / np.sqrt(nr)
