"""Property test over the whole declared parameter box of :class:`DimerParams` (issue 11).

For named hard corners and seeded random draws over every bound (t, t0, tL, tR, te, eps1,
eps2, that, mu_F, V, T, S, Delta, m1, h, K_easy, e_easy, K_hard, n_hard), with edge values
drawn often (T = 0, 1 mK, 300 K; te = 10, 1000; tL, tR = 0.5, 50; t = t0 = 0; |eps| = 50;
oblique and parallel vectors):

* either ``DimerParams(...).check()`` refuses the set with a ``ValueError`` naming the
  parameter and the allowed range — and every public entry point refuses it with the same
  message, never a traceback from inside the numerics —
* or every output of ``point``, ``maps``, ``fp_sweep``, ``langevin_sweep`` and
  ``dimer_sweep`` is finite, except the documented ones: T_eff_2 = NaN only where it is
  undefined (a_i_22 == 0 or |j_i_22/(2ħS·a_i_22)| > couplings.T_EFF_LIMIT·k_B), with it the
  Fokker–Planck Omega and kT_eff, and Langevin NaN only where ``outside_validity`` is True
  (with the reason in ``attrs["validity"]``);
* with no warning of any kind (``warnings.simplefilter("error")`` around each call; NumPy's
  default error state, so divide/overflow/invalid RuntimeWarnings count);
* with bounded memory: tracemalloc peak and RSS growth below 500 MB per call.

Times are recorded and printed in a summary at the end of the module, never asserted.
A Langevin call whose step count (from :func:`dimer_core.studies.sweeps.time_scales`) exceeds
:data:`LANGEVIN_STEP_BUDGET` (a step set by a real fast precession or diffusion) is not run
here: the test checks instead that a run beyond ``sweeps.MAX_RUN_STEPS`` steps per trajectory
is refused with a message naming the times and the step.  Biases where no step resolves the
noise (T_eff above 1e4 K, no damping, a nearly singular mobility) must be flagged
``outside_validity`` and not integrated.
"""
import resource
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import dimer_core as dc
from dimer_core.studies import sweeps
from dimer_core.couplings.dimer import clear_caches, named_map
from dimer_core.couplings.temperature import T_EFF_LIMIT
from dimer_core.params import DimerParams
from dimer_core.units import HBAR, K_B

SEED = 20230094401
N_RANDOM = 40
MEMORY_LIMIT_MB = 500.0
LANGEVIN_STEP_BUDGET = 1.0e7
"""Largest number of spin-steps (realizations × biases × steps) we integrate in one pinned Langevin call here."""
DIMER_STEP_BUDGET = 3.0e6
"""The same for both spins free (a step of the 6 × 6 kernel costs ≈ 10 pinned ones)."""

SHORT = dict(n_realizations=2, t_burn=1.0, t_average=5.0)
MU_GRID = np.linspace(-50.0, 50.0, 21)
V_GRID = np.linspace(-100.0, 100.0, 21)

BASE = dict(t=0.1, t0=2.0, tL=10.0, tR=10.0, te=100.0, eps1=0.0, eps2=0.0, that=(1.0, 0.0, 0.0), mu_F=0.0, V=0.0,
            T=0.0, S=2.5, Delta=5.0, m1=(0.0, 0.0, 1.0), h=(0.0, 0.0, 0.05), K_easy=0.2, e_easy=(0.0, 0.0, 1.0),
            K_hard=0.1, n_hard=(1.0, 0.0, 0.0))

CORNERS = {
    "paper-weak-T0": {},
    "paper-strong-T5": dict(t=1.0, T=5.0, V=3.0),
    "te10-outside-band-T0": dict(te=10.0, t=0.0, t0=0.0, tL=0.5, tR=0.5, mu_F=50.0, V=100.0, T=0.0),
    "te10-outside-band-1mK": dict(te=10.0, t=0.0, t0=0.0, tL=0.5, tR=0.5, mu_F=50.0, V=100.0, T=1e-3),
    "te10-300K": dict(te=10.0, t=0.0, t0=0.0, tL=0.5, tR=0.5, mu_F=-50.0, V=-100.0, T=300.0),
    "narrow-te1000-T0": dict(te=1000.0, tL=0.5, tR=0.5, T=0.0),
    "narrow-te1000-1mK": dict(te=1000.0, tL=0.5, tR=0.5, T=1e-3, V=0.37),
    "narrow-te1000-300K": dict(te=1000.0, tL=0.5, tR=0.5, T=300.0, V=-100.0, mu_F=50.0),
    "wide-tL50-te1000": dict(te=1000.0, tL=50.0, tR=50.0, T=1e-3),
    "asymmetric-contacts": dict(te=1000.0, tL=50.0, tR=0.5, T=1e-3, V=-100.0, mu_F=-50.0),
    "t-t0-20": dict(t=20.0, t0=20.0, te=60.0, T=5.0, V=40.0),
    "t-equals-t0": dict(t=2.0, t0=2.0, T=0.0),
    "decoupled-sites": dict(t=0.0, t0=0.0, eps1=50.0, eps2=-50.0, T=0.0),
    "decoupled-sites-1mK": dict(t=0.0, t0=0.0, eps1=50.0, eps2=-50.0, T=1e-3, te=1000.0),
    "no-soc-1mK": dict(t=0.0, T=1e-3),
    "flat-free-spin": dict(Delta=0.0, h=(0.0, 0.0, 0.0), K_easy=0.0, K_hard=0.0, T=5.0),
    "largest-couplings": dict(Delta=50.0, S=20.0, T=1e-3, t=20.0, t0=20.0, te=1000.0, tL=50.0, tR=50.0),
    "largest-couplings-300K": dict(Delta=50.0, S=20.0, T=300.0, V=-100.0),
    "parallel-vectors": dict(that=(0.0, 0.0, 1.0), m1=(0.0, 0.0, 1.0), e_easy=(0.0, 0.0, -1.0),
                             n_hard=(0.0, 0.0, 1.0), h=(0.0, 0.0, 10.0), T=1e-3),
    "oblique-vectors": dict(that=(1.0, 1.0, 1.0), m1=(1.0, -1.0, 0.3), e_easy=(0.2, 1.0, -1.0),
                            n_hard=(-1.0, 0.5, 2.0), h=(-10.0, 10.0, -10.0), T=77.0, V=-7.0),
    "band-edge-potentials": dict(te=25.0, mu_F=0.0, V=100.0, T=0.0, tL=0.5, tR=0.5),
    "band-edge-mu-1mK": dict(te=25.0, mu_F=50.0, V=0.0, T=1e-3, tL=0.5, tR=0.5),
    "smallest-spin": dict(S=0.5, Delta=50.0, T=1e-3, K_easy=10.0, K_hard=10.0, h=(10.0, 10.0, 10.0)),
    "tiny-T-1e-12": dict(T=1e-12, te=1000.0, tL=0.5, tR=0.5),
    "subnormal-T": dict(T=5e-324),
    "bound-state-refused": dict(te=10.0, t0=20.0),
}
"""Named hard corners: changes from :data:`BASE`."""

SPECIAL = {"T": (0.0, 1e-3, 300.0, 0.05), "te": (10.0, 1000.0), "tL": (0.5, 50.0), "tR": (0.5, 50.0),
           "t": (0.0, 20.0), "t0": (0.0, 20.0), "eps1": (-50.0, 50.0), "eps2": (-50.0, 50.0),
           "V": (0.0, -100.0, 100.0, 1e-9), "mu_F": (-50.0, 50.0, 0.0), "S": (0.5, 20.0), "Delta": (0.0, 50.0),
           "K_easy": (0.0, 10.0), "K_hard": (0.0, 10.0)}
"""Edge values drawn with probability 0.35 per scalar."""

LOG_UNIFORM = ("te", "tL", "tR", "T", "S")


def _unit(rng):
    r = rng.random()
    if r < 0.25:  # an axis
        v = np.zeros(3)
        v[rng.integers(3)] = rng.choice([-1.0, 1.0])
        return tuple(v)
    if r < 0.35:  # (1,1,1) up to rounding
        return tuple(rng.choice([-1.0, 1.0]) * np.ones(3) + 1e-9 * rng.normal(size=3))
    return tuple(rng.normal(size=3))  # oblique


def random_draw(rng):
    """One parameter set anywhere in the declared box (edges drawn often)."""
    d = {}
    for name, special in SPECIAL.items():
        lo, hi = DimerParams.param[name].bounds
        if rng.random() < 0.35:
            d[name] = float(rng.choice(special))
        elif name in LOG_UNIFORM:
            d[name] = float(np.exp(rng.uniform(np.log(max(lo, 1e-3)), np.log(hi))))
        else:
            d[name] = float(rng.uniform(lo, hi))
    for name in ("that", "m1", "e_easy", "n_hard"):
        d[name] = _unit(rng)
    r = rng.random()
    if r < 0.2:
        d["h"] = (0.0, 0.0, 0.0)
    elif r < 0.35:
        d["h"] = tuple(float(x) for x in rng.choice([-10.0, 10.0], size=3))
    else:
        d["h"] = tuple(float(x) for x in rng.uniform(-10.0, 10.0, 3))
    return d


def _cases():
    cases = [pytest.param(dict(BASE, **changes), id=f"corner-{name}") for name, changes in CORNERS.items()]
    rng = np.random.default_rng(SEED)
    cases += [pytest.param(random_draw(rng), id=f"draw-{k:02d}") for k in range(N_RANDOM)]
    return cases


CASES = _cases()
CORNER_CASES = [c for c in CASES if c.id.startswith("corner-")]

# --- measurement --------------------------------------------------------------------------

RECORD = []
"""(test id, call, seconds, tracemalloc peak MB, RSS growth MB) of every measured call."""


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20


def _max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measured(label, fn, request):
    """Run ``fn()`` with every warning an error; record time and memory; assert the memory bound."""
    rss0, max0 = _rss_mb(), _max_rss_mb()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return fn()
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
        growth = max(_rss_mb() - rss0, _max_rss_mb() - max0)
        RECORD.append((request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name,
                       label, seconds, peak, growth))
        assert peak < MEMORY_LIMIT_MB, f"{label}: tracemalloc peak {peak:.0f} MB"
        assert growth < MEMORY_LIMIT_MB, f"{label}: RSS grew by {growth:.0f} MB"


@pytest.fixture(scope="module", autouse=True)
def _summary(request):
    yield
    if not RECORD:
        return
    rep = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if rep is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        _write_summary(rep.write_line)


def _write_summary(write):
    write("")
    write(f"parameter box: {len(RECORD)} measured calls")
    for call in sorted({r[1] for r in RECORD}):
        rows = [r for r in RECORD if r[1] == call]
        worst = max(rows, key=lambda r: r[2])
        write(f"  {call:24s} n={len(rows):3d} total {sum(r[2] for r in rows):6.1f} s, slowest {worst[2]:5.2f} s "
              f"({worst[0]}), max peak {max(r[3] for r in rows):5.0f} MB, max RSS growth "
              f"{max(r[4] for r in rows):5.0f} MB")


# --- properties ---------------------------------------------------------------------------

def _admissible(values):
    """The checked DimerParams, or the refusal message (asserted to name a parameter and its range)."""
    try:
        return DimerParams(**values).check(), None
    except ValueError as err:
        message = str(err)
        assert "allowed" in message, message
        assert any(message.startswith(f"{name} ") for name in DimerParams.param if name != "name"), message
        return None, message


def _undefined_teff(a_i, j_i, S):
    """Where T_eff_2 must be NaN: a_i_22 == 0 or |j_i_22/(2ħS·a_i_22)| beyond couplings.T_EFF_LIMIT."""
    a_i, j_i = np.asarray(a_i, dtype=float), np.asarray(j_i, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(j_i / (2.0 * HBAR * S * a_i) / K_B)
    return (a_i == 0.0) | ~(ratio <= T_EFF_LIMIT)


def _teff_ok(teff, a_i, j_i, S):
    """T_eff_2 NaN exactly where it is undefined, finite elsewhere."""
    teff = np.asarray(teff, dtype=float)
    return np.where(_undefined_teff(a_i, j_i, S), np.isnan(teff), np.isfinite(teff))


def _assert_finite(name, values, allowed=None):
    values = np.asarray(values, dtype=float)
    bad = ~np.isfinite(values)
    if allowed is not None:
        bad &= ~np.broadcast_to(allowed, bad.shape)
    assert not bad.any(), f"{name}: {int(bad.sum())} of {bad.size} values not finite: {values[bad][:5]}"


def _refused_everywhere(values, message):
    """A refused set is refused by every entry point with the same message."""
    p = DimerParams(**values)  # only the joint check can refuse here: single values were checked on entry
    for call in (lambda: dc.point(p), lambda: dc.maps(p, [0.0], [0.0]), lambda: sweeps.fp_sweep(p, [0.0]),
                 lambda: sweeps.langevin_sweep(p, [0.0], **SHORT), lambda: sweeps.dimer_sweep(p, [0.0], **SHORT)):
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message


def _checked_or_refused(values):
    p, message = _admissible(values)
    if p is None:
        _refused_everywhere(values, message)
        pytest.skip(f"refused (as it must be): {message}")
    return p


@pytest.mark.parametrize("values", CASES)
def test_point(values, request):
    p = _checked_or_refused(values)
    out = measured("point", lambda: dc.point(p), request)
    assert set(out) == set(dc.QUANTITIES)
    for key, v in out.items():
        if key == "T_eff_2":
            assert _teff_ok(v, out["a_i_22"], out["j_i_22"], p.S), f"T_eff_2 = {v} with a_i_22 = {out['a_i_22']}"
        else:
            _assert_finite(key, v)


@pytest.mark.parametrize("values", CASES)
def test_maps(values, request):
    p = _checked_or_refused(values)
    ds = measured("maps 21x21", lambda: dc.maps(p, MU_GRID, V_GRID), request)
    for key in dc.QUANTITIES:
        if key == "T_eff_2":
            assert _teff_ok(ds[key].values, ds["a_i_22"].values, ds["j_i_22"].values, p.S).all(), "T_eff_2"
        else:
            _assert_finite(key, ds[key].values)


def _bias_sweep(p):
    return np.unique(np.array([-100.0, -3.0, 0.0, p.V, 100.0]))


@pytest.mark.parametrize("values", CASES)
def test_fp_sweep(values, request):
    p = _checked_or_refused(values)
    V = _bias_sweep(p)
    ds = measured("fp_sweep", lambda: sweeps.fp_sweep(p, V), request)
    c = named_map(p, [p.mu_F], V)
    undefined = _undefined_teff(c["a_i_22"][0], c["j_i_22"][0], p.S)
    assert not (undefined & ~ds["outside_validity"].values).any()
    for key in ds.data_vars:
        if key == "T_eff_2":
            assert _teff_ok(ds[key].values, c["a_i_22"][0], c["j_i_22"][0], p.S).all()
        else:
            _assert_finite(key, ds[key].values, allowed=undefined if key.startswith(("Omega", "kT")) else None)
    omega = np.stack([ds[f"Omega_{x}"].values for x in "xyz"], axis=-1)
    assert np.all(np.linalg.norm(omega[~undefined], axis=-1) <= 1.0 + 1e-9)


def _steps(p, V, dimer, **times):
    """Steps one Langevin call would take (all realizations and biases), from the public time scales."""
    model, _ = sweeps.pinned_model(p, V)
    others = (sweeps.dimer_model(p, V).spins(),) if dimer else ()
    dt, t_burn, t_average = sweeps.time_scales(model, None, times.get("t_burn"), times.get("t_average"),
                                               others=others)
    return (t_burn + t_average) / dt * times["n_realizations"] * V.size, dt


def _within_budget(p, V, dimer, times):
    """Whether the call fits this test's step budget.  One that does not needs that many steps for real (a
    fast precession or diffusion at a valid bias: the step is set by the physics); for it the test checks
    instead that a run beyond sweeps.MAX_RUN_STEPS per trajectory is refused with a message naming it."""
    steps, dt = _steps(p, V, dimer, **times)
    if steps <= (DIMER_STEP_BUDGET if dimer else LANGEVIN_STEP_BUDGET):
        return True
    sweep = sweeps.dimer_sweep if dimer else sweeps.langevin_sweep
    with pytest.raises(ValueError, match=r"steps per trajectory; allowed: at most"):
        sweep(p, V, n_realizations=2, t_burn=0.0, t_average=2 * dt * sweeps.MAX_RUN_STEPS, dt=dt)
    return False


def _assert_validity(ds, V):
    flags = ds["outside_validity"].values
    for v, flag in zip(V, flags):
        if flag:
            assert f"V = {v:g} mV:" in ds.attrs["validity"], ds.attrs["validity"]
    return flags


def _check_langevin(ds, p, V):
    flags = _assert_validity(ds, V)
    c = named_map(p, [p.mu_F], V)
    for key in ds.data_vars:
        if key == "T_eff_2":
            assert _teff_ok(ds[key].values, c["a_i_22"][0], c["j_i_22"][0], p.S).all()
        elif key.startswith(("Omega_", "FP_Omega_")):
            _assert_finite(key, ds[key].values, allowed=flags)
        elif key != "outside_validity":
            _assert_finite(key, ds[key].values)
    omega = np.stack([ds[f"Omega_{x}"].values for x in "xyz"], axis=-1)
    assert np.all(np.linalg.norm(omega[~flags], axis=-1) <= 1.0 + 1e-9)


def _check_dimer(ds, V):
    flags = _assert_validity(ds, V)
    for key in ds.data_vars:
        if key != "outside_validity":
            _assert_finite(key, ds[key].values, allowed=flags)
    assert np.all(np.abs(ds["m1_dot_m2"].values[~flags]) <= 1.0 + 1e-9)


def _langevin_biases(p):
    return np.unique(np.array([-100.0, 0.0, p.V]))


@pytest.mark.parametrize("values", CASES)
def test_langevin_sweep_short(values, request):
    p = _checked_or_refused(values)
    V = _langevin_biases(p)
    if not _within_budget(p, V, False, SHORT):
        return
    ds = measured("langevin_sweep short", lambda: sweeps.langevin_sweep(p, V, **SHORT), request)
    _check_langevin(ds, p, V)


@pytest.mark.parametrize("values", CASES)
def test_dimer_sweep_short(values, request):
    p = _checked_or_refused(values)
    V = _langevin_biases(p)
    if not _within_budget(p, V, True, SHORT):
        return
    ds = measured("dimer_sweep short", lambda: sweeps.dimer_sweep(p, V, **SHORT), request)
    _check_dimer(ds, V)


@pytest.mark.parametrize("values", CORNER_CASES)
def test_langevin_default_times(values, request):
    """Default dt, t_burn, t_average (capped at sweeps.MAX_STEPS steps per trajectory), one bias."""
    p = _checked_or_refused(values)
    V = np.array([p.V])
    if not _within_budget(p, V, False, dict(n_realizations=2)):
        return
    ds = measured("langevin_sweep default", lambda: sweeps.langevin_sweep(p, V, n_realizations=2), request)
    _check_langevin(ds, p, V)


@pytest.mark.parametrize("values", CORNER_CASES)
def test_dimer_default_times(values, request):
    p = _checked_or_refused(values)
    V = np.array([p.V])
    if not _within_budget(p, V, True, dict(n_realizations=2)):
        return
    ds = measured("dimer_sweep default", lambda: sweeps.dimer_sweep(p, V, n_realizations=2), request)
    _check_dimer(ds, V)


@pytest.mark.parametrize("T", [0.0, 1e-3])
def test_maps_201_at_the_narrow_resonance_corner(T, request):
    """The hardest corner for the tables: resonances 2.5e-4 meV wide (te = 1000, tL = tR = 0.5), full box."""
    p = DimerParams(**dict(BASE, te=1000.0, tL=0.5, tR=0.5, T=T)).check()
    clear_caches()  # measure the tables' build too, not only their reading
    ds = measured(f"maps 201x201 T={T:g}",
                  lambda: dc.maps(p, np.linspace(-50.0, 50.0, 201), np.linspace(-100.0, 100.0, 201)), request)
    for key in dc.QUANTITIES:
        if key == "T_eff_2":
            assert _teff_ok(ds[key].values, ds["a_i_22"].values, ds["j_i_22"].values, p.S).all()
        else:
            _assert_finite(key, ds[key].values)


# --- refusals of single values ------------------------------------------------------------

def _bad_values(name):
    p = DimerParams.param[name]
    if name in ("that", "m1", "e_easy", "n_hard"):
        return [(0.0, 0.0, 0.0), (np.nan, 0.0, 1.0), (1.0, 0.0), "x"]
    if name == "h":
        return [(0.0, 0.0, 10.5), (-10.5, 0.0, 0.0), (np.inf, 0.0, 0.0), (0.0, 0.0), "x"]
    lo, hi = p.bounds
    return [lo - 1e-9 * max(1.0, abs(lo)), hi * (1 + 1e-12) + 1e-12, np.nan, np.inf, -np.inf, "x", None]


@pytest.mark.parametrize("name", [k for k in BASE])
def test_out_of_box_values_are_refused_naming_the_parameter_and_range(name):
    for bad in _bad_values(name):
        with pytest.raises(ValueError) as err:
            DimerParams(**dict(BASE, **{name: bad}))
        message = str(err.value)
        assert message.startswith(f"{name} = "), message
        assert "allowed" in message or "give" in message, message


# --- a defect this test found (fixed: the damping is a Fermi-surface + bias-window integral) ----------

TINY_DAMPING = dict(BASE, t=0.0, t0=1.84, tL=14.3, tR=0.5, te=1000.0, eps1=6.2, eps2=-50.0, mu_F=16.9, T=5.5, V=0.0)
"""Fermi level 67 meV above a resonance 2.5e-4 meV wide: a_i_22 ≈ 9e-13 1/meV², 1e-15 of its largest value
over mu_F (≈ 700).  As a Fermi-sea integral (before) its cancellation error exceeded it: T_eff_2 was 0.011 K by
point and -0.047 K by maps at T = 5.5 K; now ∂_E Im χ^(i, an) is a Fermi-surface term plus a bias-window term."""


def test_teff_is_T_at_zero_bias_where_the_damping_is_tiny():
    p = DimerParams(**TINY_DAMPING).check()
    assert dc.point(p)["T_eff_2"] == pytest.approx(p.T, rel=1e-10)
    assert named_map(p, [p.mu_F], [0.0])["T_eff_2"][0, 0] == pytest.approx(p.T, rel=1e-10)
