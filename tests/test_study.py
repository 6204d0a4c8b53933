"""Parameter studies on Dask (dimer_core.studies.run): same numbers as one process, faults, resume, bad specs."""
import glob
import json
import logging
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from dimer_core.studies import run as study

from dimer_core.studies import sweeps
from dimer_core.studies import store
from dimer_core.couplings.dimer import named_map
from dimer_core.studies.spec import SpecError, load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIMER_CORE = os.path.join(os.path.dirname(sys.executable), "dimer-core")

MAPS = {"study": {"method": "maps", "quantities": ["J_2", "D_2", "a_i_22", "j_i_22", "T_eff_2"],
                  "task_seconds": 0.02},
        "axes": {"t": [0.1, 0.5, 1.0], "T": [0.0, 5.0]},
        "map": {"mu_F": {"start": -4, "stop": 4, "num": 31}, "V": {"start": -8, "stop": 8, "num": 41}}}
FP = {"study": {"method": "fp", "task_seconds": 0.005},
      "axes": {"t": [0.1, 1.0], "that": [[1, 0, 0], [0, 1, 1]]},
      "sweep": {"V": {"start": -5, "stop": 5, "num": 21}}}
LANGEVIN = {"study": {"method": "langevin", "task_seconds": 0.001},
            "axes": {"t": [0.1, 1.0]},
            "sweep": {"V": [-4.0, -1.0, 2.0, 4.0]},
            "langevin": {"realizations": 4, "seed": 7, "t_burn": 20.0, "t_average": 100.0}}


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, as a user's local cluster would have on this machine."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as c:
        with Client(c) as client:
            client.wait_for_workers(2)
            yield c


def reference_maps(spec):
    """The same grid computed point by point in this process with named_map."""
    out = {q: np.empty(spec.shape + (len(spec.map_mu_F), len(spec.map_V))) for q in spec.quantities}
    for index in spec.points():
        values = named_map(spec.params_at(index), spec.map_mu_F, spec.map_V)
        for q in spec.quantities:
            out[q][index] = values[q]
    return out


def assert_same(ds, ref, variables):
    for q in variables:
        got = ds[q].values
        # finite, but T_eff_2 NaN where it is undefined (couplings.T_EFF_LIMIT), as in the reference
        np.testing.assert_array_equal(~np.isfinite(got), np.isnan(ref[q]), err_msg=q)
        # 1e-12 of each value, or of the map's size near zero: worker processes sum some table products in
        # another order (differences of 4e-17 against maps of size 0.3 were seen)
        np.testing.assert_allclose(got, ref[q], rtol=1e-12, atol=1e-12 * np.nanmax(np.abs(ref[q])), err_msg=q)


# --- the same numbers as one process -------------------------------------------------------------

def test_maps_study_on_two_workers_equals_maps(cluster, tmp_path):
    spec = load_spec(MAPS)
    ds = study.run_study(spec, str(tmp_path / "s"), scheduler=cluster.scheduler_address)
    plan = store.Plan.from_dict(store.read_meta(str(tmp_path / "s"))["plan"])
    assert len(plan.blocks()) > 1, "the study should be cut into several tasks"
    assert ds.attrs["blocks_done"] == ds.attrs["blocks_total"] == len(plan.blocks())
    assert_same(ds, reference_maps(spec), spec.quantities)
    assert ds["J_2"].attrs["units"] == "1/meV" and ds["T"].attrs["units"] == "K"
    meta = json.loads(ds.attrs["study_spec"])
    assert meta["axes"]["t"] == [0.1, 0.5, 1.0] and ds.attrs["dimer_core_version"]
    workers = {json.loads(line)["worker"] for line in open(tmp_path / "s" / "log.jsonl")}
    assert len(workers) == 2, "both worker processes should have taken tasks"


def test_fp_study_with_a_vector_axis_equals_fp_sweep(cluster, tmp_path):
    spec = load_spec(FP)
    ds = study.run_study(spec, str(tmp_path / "s"), scheduler=cluster.scheduler_address)
    np.testing.assert_allclose(ds["that_vector"].values[1], [0, 2 ** -0.5, 2 ** -0.5], rtol=1e-14)
    for index in spec.points():
        ref = sweeps.fp_sweep(spec.params_at(index), spec.sweep_V)
        got = ds.isel(t=index[0], that=index[1])
        for q in sweeps.FP_OUTPUTS:
            np.testing.assert_allclose(got[q].values, ref[q].values.astype(float), rtol=1e-12, err_msg=q)


def run_with_plan(raw, cluster, tmp_path):
    """(spec, results, plan) of the study ``raw`` run on the cluster into tmp_path/s."""
    spec = load_spec(raw)
    out = str(tmp_path / "s")
    ds = study.run_study(spec, out, scheduler=cluster.scheduler_address)
    return spec, ds, store.Plan.from_dict(store.read_meta(out)["plan"])


def test_langevin_study_cut_along_the_sweep_equals_langevin_sweep(cluster, tmp_path):
    spec, ds, plan = run_with_plan(LANGEVIN, cluster, tmp_path)
    assert plan.chunks[-1] < len(spec.sweep_V), "the bias sweep should be split across tasks"
    for i in range(2):
        ref = sweeps.langevin_sweep(spec.params_at((i,)), spec.sweep_V, n_realizations=4, seed=7 + i,
                                    t_burn=20.0, t_average=100.0)
        for q in sweeps.LANGEVIN_OUTPUTS:
            np.testing.assert_allclose(ds[q].isel(t=i).values, ref[q].values, rtol=1e-12, atol=1e-15, err_msg=q)


def test_sweep_outputs_are_declared():
    p = load_spec(FP).params_at((0, 0))
    assert tuple(sweeps.fp_sweep(p, [1.0]).data_vars) == sweeps.FP_OUTPUTS
    ds = sweeps.langevin_sweep(p, [1.0], n_realizations=2, dt=1e-3, t_burn=0.0, t_average=1e-3)
    assert tuple(ds.data_vars) == sweeps.LANGEVIN_OUTPUTS


MODES = {"study": {"method": "modes", "task_seconds": 0.001},
         "axes": {"t": [0.1, 1.0]},
         "sweep": {"V": [-2.0, 0.0, 3.0, 4.5]}}
RATES = {"study": {"method": "rates", "task_seconds": 0.001},
         "fixed": {"T": 5.0, "K_easy": 4.0},
         "axes": {"Delta": [3.0, 3.2]},
         "sweep": {"V": [2.0, 4.0]},
         "rates": {"L": 24}}


def test_modes_study_holds_whole_sweeps_and_equals_the_line_summary_of_modes_sweep(cluster, tmp_path):
    """Method modes: each point's sweep in one block (its states are followed along V), the per-bias summary of
    :func:`sweeps.modes_sweep` to the last bit, with units."""
    from dimer_core.studies.mode_maps import line_summary

    spec, ds, plan = run_with_plan(MODES, cluster, tmp_path)
    assert plan.chunks[-1] == len(spec.sweep_V) and len(plan.blocks()) == 2
    for i in range(2):
        ref = line_summary(sweeps.modes_sweep(spec.params_at((i,)), spec.sweep_V))
        for q in ref.data_vars:
            np.testing.assert_array_equal(ds[q].isel(t=i).values, ref[q].values.astype(float), err_msg=q)
    assert ds.frequency_low.attrs["units"] == "GHz" and (ds.n_stable.values >= 1).all()
    assert json.loads(ds.attrs["study_spec"])["modes"] == {"spins": "pinned", "terms": "full"}


def test_rates_study_cut_along_the_sweep_equals_spectral_rates_sweep(cluster, tmp_path):
    """Method rates: the Fokker–Planck spectrum's rates out of each basin, cut along V, equal
    :func:`sweeps.spectral_rates_sweep` point by point; an unconverged bias is NaN with its convergence."""
    spec, ds, plan = run_with_plan(RATES, cluster, tmp_path)
    assert plan.chunks[-1] < len(spec.sweep_V), "the bias sweep should be split across tasks"
    for i in range(2):
        # 1e-9: the eigensolver of a 625 × 625 operator runs with another BLAS thread count on a worker (2e-12 seen)
        ref = sweeps.spectral_rates_sweep(spec.params_at((i,)), spec.sweep_V, L=24)
        for b in range(2):
            np.testing.assert_allclose(ds[f"rate_{b}"].isel(Delta=i).values, ref.rate.values[:, b], rtol=1e-9)
            np.testing.assert_allclose(ds[f"population_{b}"].isel(Delta=i).values, ref.population.values[:, b],
                                       rtol=1e-9)
        np.testing.assert_allclose(ds.relaxation.isel(Delta=i).values, ref.relaxation.values, rtol=1e-9)
    assert np.isfinite(ds.rate_0.values).all() and ds.rate_0.attrs["units"] == "1/ns"
    coarse = sweeps.spectral_rates_sweep(spec.params_at((0,)), [2.0], L=16, unconverged="nan")
    assert np.isnan(coarse.rate.values).all() and coarse.convergence.values[0] > 1e-3
    with pytest.raises(ValueError, match="V = 2 mV: L = 16 is too small"):
        sweeps.spectral_rates_sweep(spec.params_at((0,)), [2.0], L=16)


@pytest.mark.parametrize("raw, message", [
    ({**MODES, "modes": {"spins": "three"}}, "[modes] spins: 'three' is not known; allowed: pinned, both"),
    ({**MODES, "modes": {"x": 1}}, "[modes] x: unknown entry; allowed: spins, terms"),
    ({**RATES, "rates": {"L": 2}}, "[rates] L: 2 is out of range; allowed: 6 <= L <= 63"),
    ({**RATES, "rates": {"terms": "some"}}, "[rates] terms: 'some' is not known"),
    ({"study": {"method": "modes", "preset": "chain3"}}, "[study] free: give the free spins"),
    ({"study": {"method": "modes", "preset": "chain3", "free": [1]}, "modes": {"spins": "both"}},
     "[modes] spins: a junction study's free spins are [study] free"),
    ({"study": {"method": "rates", "preset": "chain3", "free": [1, 2]}}, "[study] free: method rates needs one free"),
])
def test_bad_line_study_specs_name_the_entry(tmp_path, raw, message):
    assert_refused(raw, tmp_path / "s", message)


# --- planning ---------------------------------------------------------------------------------

def test_blocks_hold_about_task_seconds_of_work_and_tile_the_grid():
    spec = load_spec({**FP, "study": {"method": "fp", "task_seconds": 1.0}})
    plan = study.plan_study(spec, seconds_per_unit=0.1)  # 10 biases per task
    assert plan.dims == ("t", "that", "V") and plan.chunks == (1, 1, 10)
    plan = study.plan_study(spec, seconds_per_unit=0.01)  # 100 units: whole sweeps, 4 points
    assert plan.chunks == (2, 2, 21)
    covered = np.zeros(plan.sizes, int)
    plan = study.plan_study(spec, seconds_per_unit=0.07)
    for b in plan.blocks():
        covered[plan.region(b)] += 1
    assert np.all(covered == 1)
    assert study.calibrate(spec) > 0


# --- faults ----------------------------------------------------------------------------------

SLOW_MAPS = {"study": {"method": "maps", "quantities": ["J_2", "a_i_22"], "task_seconds": 0.3},
             "fixed": {"T": 3.0},
             "axes": {"t": {"start": 0.05, "stop": 1.0, "num": 6}, "tL": [8.0, 9.0, 10.0, 11.0]},
             "map": {"mu_F": {"start": -6, "stop": 6, "num": 101}, "V": {"start": -12, "stop": 12, "num": 101}}}


def test_a_worker_killed_mid_study_loses_and_duplicates_nothing(cluster, tmp_path):
    from distributed import Client

    spec = load_spec(SLOW_MAPS)
    out = str(tmp_path / "s")
    killed = []
    # Another client stays open (and is dask's default client, on its own event loop) while the study
    # runs, as in a notebook or after earlier work in the same process: the study must not use its loop.
    with Client(cluster.scheduler_address) as other:
        pids = list(other.run(os.getpid).values())

        def kill_one(fraction, message):
            if 0 < fraction < 1 and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(fraction)

        ds = study.run_study(spec, out, scheduler=cluster.scheduler_address, progress=kill_one)
    assert killed and killed[0] < 0.5, "the worker must die while most of the study is still to do"
    plan = store.Plan.from_dict(store.read_meta(out)["plan"])
    counts = store.writes_per_block(out)
    assert sorted(counts) == sorted(store.block_id(b) for b in plan.blocks())
    assert set(counts.values()) == {1}
    assert_same(ds, reference_maps(spec), spec.quantities)
    with Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def _markers(out):
    return glob.glob(os.path.join(out, "chunks", "*.json"))


def test_ctrl_c_then_resume_gives_the_uninterrupted_result(cluster, tmp_path):
    spec_path = tmp_path / "spec.json"
    spec = load_spec(SLOW_MAPS)
    out = str(tmp_path / "s")
    toml = (f'[study]\nmethod = "maps"\nquantities = ["J_2", "a_i_22"]\ntask_seconds = 0.3\n[fixed]\nT = 3.0\n'
            f'[axes]\nt = {{start = 0.05, stop = 1.0, num = 6}}\ntL = [8.0, 9.0, 10.0, 11.0]\n'
            f'[map]\nmu_F = {{start = -6, stop = 6, num = 101}}\nV = {{start = -12, stop = 12, num = 101}}\n')
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(toml)
    assert load_spec(str(spec_path)) == spec
    proc = subprocess.Popen([DIMER_CORE, "study", str(spec_path), "--out", out, "--workers", "1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not _markers(out) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    plan = store.Plan.from_dict(store.read_meta(out)["plan"])
    n_before = len(_markers(out))
    assert 1 <= n_before < len(plan.blocks())
    ds, report = study.resume_study(out, scheduler=cluster.scheduler_address)
    assert report["kept"] == n_before and report["computed"] == len(plan.blocks()) - n_before
    assert report["version_note"] is None
    assert set(store.writes_per_block(out).values()) == {1}, "resume recomputes nothing it already has"
    assert_same(ds, reference_maps(spec), spec.quantities)


def test_corrupted_missing_and_partial_blocks_are_found_and_recomputed(cluster, tmp_path):
    out = str(tmp_path / "s")
    spec = load_spec(FP)
    ds = study.run_study(spec, out, scheduler=cluster.scheduler_address)
    before = {q: ds[q].values.copy() for q in ("Omega_y", "T_eff_2")}
    plan = store.Plan.from_dict(store.read_meta(out)["plan"])
    blocks = plan.blocks()
    a, b, c, d = blocks[0], blocks[3], blocks[5], blocks[-1]
    chunk = lambda blk, var: os.path.join(out, store.RESULTS, var, "c", *map(str, blk))  # noqa: E731
    with open(chunk(a, "Omega_y"), "r+b") as f:  # garbage bytes in a stored chunk
        f.seek(0)
        f.write(b"\x00garbage" * 4)
    os.remove(chunk(b, "T_eff_2"))  # a chunk file lost
    with open(os.path.join(out, "chunks", store.block_id(c) + ".json"), "w") as f:
        f.write('{"block": [0, 1')  # a marker cut short
    os.remove(os.path.join(out, "chunks", store.block_id(d) + ".json"))  # written, never marked
    ds, report = study.resume_study(out, scheduler=cluster.scheduler_address)
    assert set(report["damaged"]) == {store.block_id(x) for x in (a, b, c)}
    assert report["computed"] == 4 and report["kept"] == len(blocks) - 4
    for q, values in before.items():
        np.testing.assert_array_equal(ds[q].values, values)
    counts = store.writes_per_block(out)
    assert {k for k, n in counts.items() if n == 2} == {store.block_id(x) for x in (a, b, c, d)}


# --- bad specs fail before any work --------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"axes": {"tt": [1.0]}}, "[axes] tt: unknown parameter 'tt'"),
    ({"axes": {"t": [0.1, 30.0]}}, "[axes] t: t = 30.0 is out of range; allowed: 0 <= t <= 20 meV"),
    ({"axes": {"t": []}}, "[axes] t: the axis is empty"),
    ({"axes": {"t0": {"start": 1, "stop": 2, "num": 0}}}, "[axes] t0: the axis is empty"),
    ({"axes": {"mu_F": [0.0, 1.0]}}, "[axes] mu_F: mu_F is the [map] grid of each point for method maps"),
    ({"fixed": {"Delta": -1.0}}, "[fixed] Delta: Delta = -1.0 is out of range; allowed: 0 <= Delta <= 50 meV"),
    ({"fixed": {"te": 10.0}, "axes": {"tL": [1.0, 14.0]}}, "[axes] point (tL = 14.0): te = 10 is too small"),
    ({"study": {"method": "maps", "quantities": ["Omega_z"]}}, "[study] quantities: 'Omega_z' is not an output"),
    ({"study": {"method": "euler"}}, "[study] method: 'euler' is not known; allowed: maps, fp, langevin"),
    ({"map": {"V": {"start": -200, "stop": 0, "num": 3}}}, "[map] V: values out of range; allowed: -100 <= V"),
    ({"langevin": {"realizations": 1}}, "[langevin] realizations: 1 is out of range; allowed: 2 <="),
    ({"extra": {"x": 1}}, "[extra]: unknown section"),
    ({"axes": {"t": {"start": 0, "stop": 1, "num": 100}, "t0": {"start": 0.5, "stop": 3, "num": 1000},
               "tL": {"start": 1, "stop": 20, "num": 1000}}}, "[axes] the grid of 100000000 points needs"),
])
def test_bad_specs_name_the_entry_and_start_nothing(tmp_path, change, message):
    assert_refused({**MAPS, **change}, tmp_path / "s", message)


def assert_refused(raw, out, message):
    """run_study refuses the spec ``raw`` with ``message`` and makes no folder ``out``."""
    with pytest.raises(SpecError) as info:
        study.run_study(raw, str(out))
    assert message in str(info.value)
    assert not out.exists()


def test_cli_bad_spec_exits_2_with_one_line(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[axes]\nt = [0.1, 99]\n')
    proc = subprocess.run([DIMER_CORE, "study", str(spec), "--out", str(tmp_path / "s")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: [axes] t: t = 99 is out of range; allowed: 0 <= t <= 20 meV"
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("name, method, points", [("study_t_t0.toml", "maps", 72), ("study_langevin.toml", "langevin", 6),
                                                  ("study_chain3.toml", "maps", 6),
                                                  ("study_lines.toml", "modes", 6)])
def test_example_specs_are_valid(name, method, points):
    spec = load_spec(os.path.join(ROOT, "examples", name))
    assert spec.method == method and spec.n_points == points
    study.check_points(spec)


# --- junction studies, the integrator -------------------------------------------------------------

from dimer_core.junction import Bond, Lead, loads, loads_spins, pair_dataset, read_model  # noqa: E402
from dimer_core.junction import maps as junction_maps  # noqa: E402
from dimer_core.junction import preset as junction_preset  # noqa: E402
from dimer_core.studies.junction_sweeps import junction_sweep  # noqa: E402

CHAIN_MAPS = {"study": {"method": "maps", "preset": "chain3", "pair": [1, 3], "task_seconds": 0.02},
              "fixed": {"lead.R.te": 80.0},
              "axes": {"bond.1-2.t": [0.1, 0.5], "lead.L.t": [5.0, 10.0], "eps.2": [0.0, -1.5]},
              "map": {"mu_F": {"start": -4, "stop": 4, "num": 9}, "V": {"start": -8, "stop": 8, "num": 11}}}
STM_LANGEVIN = {"study": {"method": "langevin", "preset": "stm-polarised", "free": [1, 2],
                          "pinned": {"3": [1, 0, 0]}, "task_seconds": 0.001},
                "axes": {"lead.tip.p": [0.0, 0.6]},
                "sweep": {"V": [-3.0, 2.0]},
                "langevin": {"realizations": 2, "seed": 5, "dt": 0.05, "t_burn": 2.0, "t_average": 10.0,
                             "integrator": "midpoint"}}


def test_junction_maps_study_equals_junction_maps_of_the_pair(cluster, tmp_path):
    spec = load_spec(CHAIN_MAPS)
    ds = study.run_study(spec, str(tmp_path / "s"), scheduler=cluster.scheduler_address)
    assert ds.attrs["blocks_total"] > 1 and ds.attrs["junction"] == "chain3" and ds.attrs["pair"] == "1,3"
    assert ds["bond.1-2.t"].attrs["units"] == "meV" and ds["eps.2"].attrs["units"] == "meV"
    assert ds["J_13"].attrs["units"] == "1/meV"
    base = junction_preset("chain3")
    for t_soc, t_l, eps in [(0.1, 5.0, 0.0), (0.5, 10.0, -1.5), (0.5, 5.0, -1.5)]:
        leads = (Lead("L", 100.0, (1,), (t_l,), 0.5), Lead("R", 80.0, (3,), (10.0,), -0.5))
        bonds = (Bond(1, 2, 2.0, t_soc), base.bonds[1])
        junction = base.updated(bonds=bonds, leads=leads, eps=(0.0, eps, 0.0))  # by hand, not by dotted names
        ref = pair_dataset(junction_maps.maps(junction, spec.map_mu_F, spec.map_V, pairs=[(1, 3)]), 1, 3)
        got = ds.sel({"bond.1-2.t": t_soc, "lead.L.t": t_l, "eps.2": eps})
        assert set(ref.data_vars) == set(spec.variables)
        for q in ref.data_vars:
            np.testing.assert_allclose(got[q].values, ref[q].values, rtol=1e-12,
                                       atol=1e-12 * np.nanmax(np.abs(ref[q].values)), err_msg=q)
    # the polarisation-free J_13 moves with the contact: the axes reach the model (not a constant map)
    assert not np.allclose(ds["J_13"].isel({"lead.L.t": 0}).values, ds["J_13"].isel({"lead.L.t": 1}).values)


def test_junction_langevin_study_records_the_integrator_and_equals_junction_sweep(cluster, tmp_path):
    spec = load_spec(STM_LANGEVIN)
    ds = study.run_study(spec, str(tmp_path / "s"), scheduler=cluster.scheduler_address)
    assert ds.attrs["integrator"] == "midpoint" and ds.attrs["calculus"] == "boltzmann"
    assert json.loads(ds.attrs["study_spec"])["langevin"]["integrator"] == "midpoint"
    assert store.read_meta(str(tmp_path / "s"))["spec"]["langevin"]["integrator"] == "midpoint"
    for i, p in enumerate([0.0, 0.6]):
        junction = junction_preset("stm-polarised")
        junction = junction.updated(leads=(Lead("tip", 100.0, (1,), (2.0,), 1.0, p, (0.0, 0.0, 1.0)),
                                           junction.leads[1]))
        kw = dict(method="langevin", n_realizations=2, seed=5 + i, dt=0.05, t_burn=2.0, t_average=10.0)
        ref = junction_sweep(junction, spec.sweep_V, (1, 2), {3: (1, 0, 0)}, integrator="midpoint", **kw)
        heun = junction_sweep(junction, spec.sweep_V, (1, 2), {3: (1, 0, 0)}, integrator="heun", **kw)
        for q in ("m1_z", "m2_x", "m1_dot_m2", "I_tip", "T_eff_2"):
            np.testing.assert_allclose(ds[q].isel({"lead.tip.p": i}).values, ref[q].values, rtol=1e-12,
                                       atol=1e-15, err_msg=q)
        assert not np.allclose(ref["m1_z"].values, heun["m1_z"].values, rtol=1e-6), "midpoint ≠ heun numbers"


def test_dimer_langevin_study_with_midpoint_gives_the_midpoint_numbers(cluster, tmp_path):
    raw = {**LANGEVIN, "axes": {"t": [0.1]}, "sweep": {"V": [-4.0, 2.0]},
           "langevin": {**LANGEVIN["langevin"], "integrator": "midpoint", "calculus": "stratonovich"}}
    spec = load_spec(raw)
    ds = study.run_study(spec, str(tmp_path / "s"), scheduler=cluster.scheduler_address)
    assert (ds.attrs["integrator"], ds.attrs["calculus"]) == ("midpoint", "stratonovich")
    kw = dict(n_realizations=4, seed=7, t_burn=20.0, t_average=100.0, calculus="stratonovich")
    ref = sweeps.langevin_sweep(spec.params_at((0,)), spec.sweep_V, integrator="midpoint", **kw)
    heun = sweeps.langevin_sweep(spec.params_at((0,)), spec.sweep_V, integrator="heun", **kw)
    for q in sweeps.LANGEVIN_OUTPUTS:
        np.testing.assert_allclose(ds[q].isel(t=0).values, ref[q].values, rtol=1e-12, atol=1e-15, err_msg=q)
    assert not np.allclose(ref["Omega_x"].values, heun["Omega_x"].values, rtol=1e-6)


def test_junction_fp_study_from_a_model_file_resumes_as_the_dimer(cluster, tmp_path, monkeypatch):
    model = tmp_path / "models" / "chain.toml"
    model.parent.mkdir()
    model.write_text(open(os.path.join(ROOT, "examples", "junction_chain3.toml")).read()
                     + "\n[spins]\nK_easy = 0.2\ne_easy = [0.0, 0.0, 1.0]\n")
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text('[study]\nmethod = "fp"\nmodel = "models/chain.toml"\nfree = [3]\ntask_seconds = 0.001\n'
                         '[axes]\n"eps.2" = [-0.5, 0.5]\n"lead.L.t" = [6.0, 9.0]\n[sweep]\nV = [-2.0, 0.0, 3.0]\n')
    spec = load_spec(str(spec_path))
    out = str(tmp_path / "s")
    monkeypatch.chdir(tmp_path / "models")  # the model was found relative to the spec; the store holds its text
    ds = study.run_study(spec, out, scheduler=cluster.scheduler_address)
    before = {q: ds[q].values.copy() for q in ds.data_vars}
    plan = store.Plan.from_dict(store.read_meta(out)["plan"])
    assert len(plan.blocks()) == 4 and plan.chunks[-1] == 3, "one block a point: a junction's sweep is not cut"
    for b in plan.blocks()[1:3]:
        os.remove(os.path.join(out, "chunks", store.block_id(b) + ".json"))
    text = model.read_text()
    model.unlink()  # resume reads the model from the store
    ds, report = study.resume_study(out, scheduler=cluster.scheduler_address)
    assert report["kept"] == 2 and report["computed"] == 2
    for q, values in before.items():
        np.testing.assert_array_equal(ds[q].values, values, err_msg=q)
    stored = json.loads(ds.attrs["study_spec"])["study"]["junction"]
    assert stored == text, "the store holds the model file's text as it was read"
    bare = loads_spins(stored)
    assert bare[0].K_easy == 0.2, "the model's bare terms are part of the stored model"
    junction = loads(stored)
    for i, eps in enumerate([-0.5, 0.5]):
        for k, t_l in enumerate([6.0, 9.0]):
            j = junction.updated(eps=(0.0, eps, 0.0), leads=(Lead("L", 100.0, (1,), (t_l,), 0.5), junction.leads[1]))
            ref = junction_sweep(j, spec.sweep_V, (3,), None, bare, method="fp")
            for q in ref.data_vars:
                np.testing.assert_allclose(ds[q].isel({"eps.2": i, "lead.L.t": k}).values,
                                           ref[q].values.astype(float), rtol=1e-12, atol=1e-15, err_msg=q)


@pytest.mark.parametrize("change, message", [
    ({"axes": {"bond.1-3.t": [0.1]}}, "[axes] bond.1-3.t: sites 1, 3 are not bonded; allowed: the bonds 1-2, 2-3"),
    ({"axes": {"lead.tip.p": [0.5]}}, "[axes] lead.tip.p: the junction has no lead 'tip'; allowed: leads L, R"),
    ({"axes": {"bond.1-2.t0": [1.0, 25.0]}}, "[axes] bond.1-2.t0: bond 1: t0 = 25.0 is out of range; allowed: "
                                             "-20 <= t0 <= 20 meV"),
    ({"fixed": {"lead.L.p": 1.0}}, "[fixed] lead.L.p: lead 'L': p = 1.0 is out of range; allowed: 0 <= p < 1"),
    ({"axes": {"eps.4": [0.0]}}, "[axes] eps.4: site 4 is out of range; allowed: 1 <= site <= 3"),
    ({"axes": {"t0": [1.0]}}, "[axes] t0: unknown parameter 't0'; allowed: mu_F, V, T"),
    ({"axes": {"lead.L.n": [1.0]}}, "[axes] lead.L.n: a vector axis is a list of 3-vectors"),
    ({"fixed": {"lead.R.te": 10.0, "lead.L.t": 14.0, "lead.R.t": 14.0}, "axes": {"lead.L.te": [50.0, 10.0]}},
     "[axes] point (lead.L.te = 10.0): te = 10 (the widest lead) is too small"),
    ({"study": {"method": "maps", "preset": "chain3", "pair": [1, 4]}}, "[study] pair: [1, 4] is not a pair"),
    ({"study": {"method": "fp", "preset": "chain3"}}, "[study] free: give the free spins"),
    ({"study": {"method": "fp", "preset": "chain3", "free": [1, 2]}}, "[study] free: method fp needs one free"),
    ({"study": {"method": "maps", "preset": "chain3", "free": [1]}}, "[study] free: not used by method maps"),
    ({"study": {"method": "maps", "preset": "weak-soc", "pair": [1, 2]}}, "[study] pair: only a junction study"),
    ({"study": {"method": "maps", "preset": "chain3", "model": "x.toml"}}, "[study] model: also given [study] preset"),
    ({"study": {"method": "maps", "model": "no/such.toml"}}, "[study] model: cannot read"),
    ({"study": {"method": "maps", "preset": "chain9"}}, "[study] preset: 'chain9' is not known; allowed: weak-soc"),
    ({"study": {"method": "maps", "preset": "chain3", "quantities": ["J_13"]}}, "[study] quantities: 'J_13' is not"),
    ({"langevin": {"integrator": "euler"}}, "[langevin] integrator: 'euler' is not known; allowed: heun, midpoint"),
    ({"langevin": {"calculus": "ito"}}, "[langevin] calculus: 'ito' is not known; allowed: boltzmann, stratonovich"),
])
def test_bad_junction_specs_name_the_entry_and_start_nothing(tmp_path, change, message):
    raw = {"study": {"method": "maps", "preset": "chain3", "pair": [1, 3]},
           "map": {"mu_F": [0.0], "V": [0.0, 1.0]}, **change}
    assert_refused(raw, tmp_path / "s", message)


def test_junction_modes_and_rates_studies_equal_the_junctions_lines_and_rates_and_the_dimers(cluster, tmp_path):
    """Methods modes and rates on a junction (issue 14 on the junction engine): the dimer as a junction model file
    (weak SOC, 5 K, its bare K_easy = 4 meV), spin 2 free with m_1 pinned, over an axis of the dotted Delta: each
    point equals the line summary of junction_modes and the per-basin rates of junction_rates, and those equal the
    dimer's study outputs (line_study) at the same parameters (``convergence``, a relative change of 1e-5 … 1e-7,
    to 1e-10 absolute: the eigensolver on a worker differs by 2e-13)."""
    import dimer_core as dc
    from dimer_core.junction import from_dimer, write_model
    from dimer_core.spins.junction_spins import OneSpin
    from dimer_core.studies import line_study
    from dimer_core.studies.junction_lines import junction_modes, junction_rates
    from dimer_core.studies.mode_maps import line_summary

    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    model = tmp_path / "dimer.toml"
    write_model(from_dimer(p), model, bare=OneSpin.from_params(p))
    for method, extra in (("modes", {}), ("rates", {"rates": {"L": 24}})):
        raw = {"study": {"method": method, "model": str(model), "free": [2], "pinned": {"1": [0, 0, 1]},
                         "task_seconds": 0.001},
               "axes": {"Delta": [4.0, 5.0]}, "sweep": {"V": [2.0, 3.0]}, **extra}
        spec, ds, plan = run_with_plan(raw, cluster, tmp_path / method)
        assert len(plan.blocks()) == 2 and set(ds.data_vars) == set(line_study.outputs(method))
        for i, delta in enumerate([4.0, 5.0]):
            junction = from_dimer(p.updated(Delta=delta))
            spins = dict(free=(2,), pinned={1: (0.0, 0.0, 1.0)}, bare=OneSpin.from_params(p))
            if method == "modes":
                ref = line_summary(junction_modes(junction, spec.sweep_V, **spins))
            else:
                ref = line_study.per_basin(junction_rates(junction, spec.sweep_V, L=24, unconverged="nan", **spins))
            dimer = line_study.point_values(p.updated(Delta=delta), spec.sweep_V, method, degree=24)
            for q in ref.data_vars:
                got = ds[q].isel(Delta=i).values
                np.testing.assert_allclose(got, ref[q].values.astype(float), rtol=1e-9, atol=1e-10, err_msg=q)
                np.testing.assert_allclose(got, dimer[q], rtol=1e-6, atol=1e-9, err_msg=f"{q} (the dimer's)")
        assert np.isfinite(ds["frequency_low" if method == "modes" else "rate_0"].values).all()


def test_cli_model_and_pair_override_the_spec(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[study]\nmethod = "maps"\npreset = "chain3"\n[axes]\n"eps.2" = [0.0, 0.5]\n'
                    '[map]\nmu_F = [-1.0, 0.0, 2.0]\nV = [0.0, 3.0]\n')
    model = os.path.join(ROOT, "examples", "junction_ring4.toml")
    out = tmp_path / "s"
    proc = subprocess.run([DIMER_CORE, "study", str(spec), "--out", str(out), "--workers", "1", "--model", model,
                           "--pair", "3,1"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    ds = study.open_study(str(out))
    assert ds.attrs["pair"] == "3,1" and ds.attrs["junction"] == "ring4"
    for i, eps in enumerate([0.0, 0.5]):
        ring = read_model(model).updated(eps=(0.0, eps, 0.0, 0.0))
        ref = pair_dataset(junction_maps.maps(ring, [-1.0, 0.0, 2.0], [0.0, 3.0], pairs=[(3, 1)]), 3, 1)
        for q in ("J_31", "D_13", "a_i_11", "I_R"):
            np.testing.assert_allclose(ds[q].isel({"eps.2": i}).values, ref[q].values, rtol=1e-12, atol=1e-15,
                                       err_msg=q)
    proc = subprocess.run([DIMER_CORE, "study", str(spec), "--out", str(tmp_path / "t"), "--pair", "1,9"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "[study] pair: [1, 9] is not a pair of sites; allowed: sites " \
        "1 <= a, b <= 3" in proc.stderr
