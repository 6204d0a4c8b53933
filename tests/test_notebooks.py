"""The example notebooks execute (nbclient, the venv's own ``python3`` kernel) and print the expected values.

The kernel is ipykernel's built-in ``python3`` spec, which runs the Python that runs the tests (``.venv``'s):
no kernel is registered globally.  The venv's ``bin`` goes first on ``PATH`` so that anything the kernel
starts is the venv's too.
"""
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "notebooks" / "quickstart.ipynb"


def _stream(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _number(text, pattern):
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in the output:\n{text}"
    return float(m.group(1))


@pytest.fixture(scope="module")
def quickstart(monkeypatch_module):
    if not QUICKSTART.is_file():
        pytest.skip("the checkout's examples are not beside the tests")
    nb = nbformat.read(QUICKSTART, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(QUICKSTART.parent)}})
    client.execute()
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    yield mp
    mp.undo()


def test_the_kernel_is_this_venv(quickstart, tmp_path):
    """The executed cells import the same dimer_core as the tests (the installed copy, not the checkout)."""
    import dimer_core

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, dimer_core; print(sys.executable); print(dimer_core.__file__)")])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    executable, package = _stream(nb.cells[0]).split()
    assert os.path.realpath(os.path.dirname(executable)) == os.path.realpath(os.path.dirname(sys.executable))
    assert os.path.realpath(package) == os.path.realpath(dimer_core.__file__)


def test_point_cell_prints_the_readme_value(quickstart):
    text = _stream(quickstart[0])
    assert _number(text, r"J_2\s+=\s+(\S+) 1/meV") == pytest.approx(-0.1196, abs=5e-4)  # README, "Python"
    assert _number(text, r"T_eff_2\s+=\s+(\S+) K") > 0


def test_maps_cell_draws_and_d2_is_odd(quickstart):
    cell = quickstart[1]
    assert any("image/png" in o.get("data", {}) for o in cell.outputs), "no heatmap drawn"
    text = _stream(cell)
    assert "'mu_F': 61" in text and "'V': 61" in text
    assert _number(text, r"max \|D_2\| = (\S+);") > 1e-3
    assert _number(text, r"max \|D_2\(V\) \+ D_2\(-V\)\| = (\S+)") < 1e-10


def test_sweep_cell_switches_the_spin_at_3_mV(quickstart):
    text = _stream(quickstart[2])
    assert _number(text, r"Omega_z at V = 0: (\S+);") == pytest.approx(-1.0, abs=0.01)   # against m_1 = z
    assert _number(text, r"Omega_y at V = 3: (\S+);") == pytest.approx(0.5, abs=0.1)     # turned to +y
    assert _number(text, r"highest Omega_z: (\S+) ") > 0.7                              # along m_1


def test_dashboard_view_displays_and_its_state_answers(quickstart):
    view, state = quickstart[3], quickstart[4]
    data = [o.get("data", {}) for o in view.outputs if o.get("output_type") == "execute_result"]
    assert data and "application/vnd.holoviews_exec.v0+json" in data[0], "the Panel view did not display"
    assert "text/html" in data[0]
    text = _stream(state)
    assert "V = 3 mV" in text
    assert -1.0 <= _number(text, r"Omega_z at V = 3 mV: (\S+)") <= 1.0
    assert "message: t = 30.0 is out of range; allowed: 0 <= t <= 20 meV" in text
