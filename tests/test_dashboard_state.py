"""The dashboard's session state, exports and background runs, without a browser."""
import io
import time

import matplotlib.image as mpimg
import pandas as pd
import PIL.Image
import panel as pn
import pytest
import xarray as xr

import dimer_core

from dashboard.exports import export_panel
from dashboard.state import Dashboard


def wait_until(condition, timeout=120.0):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_bad_values_leave_a_message_and_the_state_unchanged():
    dash = Dashboard()
    dash.set_value("t", 99.0)
    assert "t = 99" in dash.message and "0 <= t <= 20 meV" in dash.message and dash.p.t == 0.1
    dash.set_value("that", (0.0, 0.0, 0.0))
    assert "zero length" in dash.message and dash.p.that == (1.0, 0.0, 0.0)
    dash.set_value("t", 0.5)
    assert dash.message == "" and dash.p.t == 0.5


def test_presets_symmetric_leads_and_independent_sessions():
    a, b = Dashboard(), Dashboard()
    a.preset = "strong-soc"
    assert a.p.t == 1.0 and b.p.t == 0.1
    a.p.tL = 7.0
    assert a.p.tR == 7.0 and b.p.tR == 10.0
    a.symmetric = False
    a.p.tL = 5.0
    assert a.p.tR == 7.0


def test_bias_changes_do_not_recompute_the_maps():
    dash = Dashboard()
    first = dash.dataset()
    dash.p.V, dash.p.mu_F = 2.0, -1.0
    assert dash.dataset() is first
    dash.p.t0 = 1.8
    assert dash.dataset() is not first


def test_downloads_open(tmp_path):
    dash = Dashboard()
    column = export_panel(dash)()
    buttons = {w.filename: w for w in column if isinstance(w, pn.widgets.FileDownload)}
    assert "maps_t0.1_t02_tL10_tR10_T0.nc" in buttons
    for name, button in buttons.items():
        data = button.callback().getvalue()
        path = tmp_path / name
        path.write_bytes(data)
        if name.endswith(".nc"):
            ds = xr.open_dataset(path)
            assert "J_2" in ds and ds.attrs["dimer_core_version"] == dimer_core.__version__
        elif name.endswith(".csv"):
            df = pd.read_csv(io.BytesIO(data))
            assert len(df) > 10 and df.columns[0] in ("mu_F", "V")
            assert (df.dimer_core_version.astype(str) == dimer_core.__version__).all(), name
        else:
            img = mpimg.imread(path)
            assert img.ndim == 3 and img.std() > 0.05
            assert PIL.Image.open(path).text["Software"].startswith(f"dimer_core {dimer_core.__version__} "), name


def test_langevin_run_in_a_thread_finishes_and_can_be_stopped():
    dash = Dashboard(realizations=2)
    dash.start_langevin()
    assert dash.langevin.running
    wait_until(lambda: not dash.langevin.running, timeout=300)
    assert dash.langevin.result is not None and "Omega_z_err" in dash.langevin.result
    assert dash.langevin.status.endswith("done") and dash.langevin.progress == 1.0
    dash.realizations = 64
    dash.start_dimer()
    wait_until(lambda: dash.dimer.progress > 0.0)
    dash.dimer.stop()
    wait_until(lambda: not dash.dimer.running)
    assert "stopped" in dash.dimer.status and dash.dimer.result is None


def test_trajectory_and_current():
    dash = Dashboard()
    dash.p.V = 3.5
    dash.start_path()
    wait_until(lambda: not dash.path.running)
    assert dash.path.status == "Reversal path: done" and dash.path.progress == 1.0
    ds = dash.trajectory
    assert ds is not None and ds.t.size > 100
    assert float(ds.m_z[0]) > 0.99 and float(ds.m_z[-1]) < float(ds.m_z[0])  # leaves the parallel start
    cur = dash.current()
    assert float(cur.I.sel(V=0.0)) == pytest.approx(0.0, abs=1e-9) and float(cur.dIdV.max()) > 0


@pytest.mark.parametrize("T", [1e-3, 2e-3, 0.01, 300.0])
def test_any_temperature_a_user_types_costs_bounded_memory(T):
    """Issue 11: T = 0.001 K took a 41 × 41 map to 13 GB (the code before: 1627 MB for the page's 161 × 161 maps at
    0.01 K); the page's maps, cuts and sweep at any T in the bounds stay under 500 MB of allocations and are finite."""
    import tracemalloc

    import numpy as np

    dash = Dashboard()
    tracemalloc.start()
    try:
        dash.set_value("T", T)
        assert dash.message == "" and dash.p.T == T
        ds, sweep = dash.dataset(), dash.sweep()
        dash.cut_V(), dash.cut_mu()
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()
    assert peak < 500.0, f"{peak:.0f} MB"
    assert all(np.isfinite(ds[k].values).all() for k in ("J_2", "D_2", "a_i_22", "j_i_22"))
    assert np.isfinite(sweep.Omega_z.values).all()
