"""A real package (issue 12): installed with its console scripts, one numba cache, README commands as printed.

The tests import ``dimer_core`` and ``dashboard`` from the installed package, never from the
checkout (pytest's importlib mode; see tests/__init__.py): the first test checks it.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


def _under(path, folder):
    return os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep)


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    env.update(changes)
    return env


def test_the_tests_import_the_installed_package():
    import dashboard
    import dimer_core

    site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    for module in (dimer_core, dashboard):
        assert any(_under(module.__file__, s) for s in site), f"{module.__name__} from {module.__file__}"
        source = os.path.join(ROOT, module.__name__)
        assert not _under(module.__file__, source), f"{module.__name__} from the checkout: {module.__file__}"


def test_console_scripts_work_from_any_folder(tmp_path):
    out = subprocess.run([os.path.join(VENV_BIN, "dimer-core"), "point", "--V", "1", "--json"], cwd=tmp_path,
                         env=_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "J_2" in json.loads(out.stdout)
    out = subprocess.run([os.path.join(VENV_BIN, "dimer-dashboard"), "--help"], cwd=tmp_path, env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: dimer-dashboard") and "--address" in out.stdout and "--study" in out.stdout


def test_dimer_dashboard_without_the_app_extra_says_what_to_install(tmp_path):
    code = "import sys; sys.modules['panel'] = None; import dashboard; sys.exit(dashboard.main([]))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == ("error: the dashboard needs panel, which is not installed; "
                                  "install the app extra: pip install 'dimer-core[app]'")


@pytest.mark.parametrize("program", ["cli", "dashboard"])
def test_studies_without_the_studies_extra_say_what_to_install(tmp_path, program):
    main = {"cli": "from dimer_core.cli import main; sys.exit(main(['study', 's.toml', '--out', 'o']))",
            "dashboard": "import dashboard; sys.exit(dashboard.main(['--study', 'o']))"}[program]
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.modules['zarr'] = None; {main}"], cwd=tmp_path,
                         env=_env(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].endswith(
        "needs zarr, which is not installed; install the studies extra: pip install 'dimer-core[studies]'")
    assert "Traceback" not in out.stderr


def test_dimer_core_alone_lists_its_commands(tmp_path):
    out = subprocess.run([os.path.join(VENV_BIN, "dimer-core")], cwd=tmp_path, env=_env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for command in ("point", "maps", "sweep", "study", "figures"):
        assert re.search(rf"^\s+{command}\s", out.stdout, re.M), out.stdout


# ----- one numba cache -----

@pytest.mark.parametrize("first", ["dimer_core", "numba"])
def test_one_numba_cache_whatever_is_imported_first(tmp_path, first):
    code = f"import {first}, dimer_core, dashboard.state, numba; print(numba.config.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(XDG_CACHE_HOME=str(tmp_path)),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    from dimer_core.numba_cache import source_digest

    assert out.stdout.strip() == str(tmp_path / "dimer_core" / "numba" / source_digest())


def test_the_numba_cache_is_named_by_the_sources(tmp_path):
    """numba checks a cached kernel only against its own file: a callee changed in another module ran the old
    code from the cache.  The cache folder is named by a digest of every source file, so any change (a kernel,
    a callee, a constant) gives a fresh cache; the old one is pruned after a week of disuse."""
    import shutil

    from dimer_core import numba_cache

    package = os.path.dirname(numba_cache.__file__)
    copy = tmp_path / "pkg"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = numba_cache.source_digest(copy)
    assert before == numba_cache.source_digest(package)
    with open(copy / "units.py", "a") as f:  # a module with no kernel, whose constants kernels freeze
        f.write("\n")
    assert numba_cache.source_digest(copy) != before
    cache = tmp_path / "xdg"
    old, recent = cache / "dimer_core" / "numba" / "old", cache / "dimer_core" / "numba" / "recent"
    for folder in (old, recent):
        folder.mkdir(parents=True)
    os.utime(old, (0, 0))
    code = "from dimer_core import numba_cache; print(numba_cache.prune())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(XDG_CACHE_HOME=str(cache)),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert str(old) in out.stdout and not old.exists() and recent.exists()


def test_an_explicit_numba_cache_dir_wins(tmp_path):
    code = "import dimer_core, numba; print(numba.config.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                         env=_env(XDG_CACHE_HOME=str(tmp_path / "x"), NUMBA_CACHE_DIR=str(tmp_path / "mine")),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "mine")


def test_the_cli_compiles_into_the_default_cache(tmp_path):
    out = subprocess.run([os.path.join(VENV_BIN, "dimer-core"), "point", "--V", "1", "--json"], cwd=tmp_path,
                         env=_env(XDG_CACHE_HOME=str(tmp_path / "cache")), capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    cached = [f for _, _, files in os.walk(tmp_path / "cache" / "dimer_core" / "numba") for f in files]  # its digest
    assert any(f.endswith(".nbi") for f in cached)
    import dimer_core

    package = os.path.dirname(dimer_core.__file__)
    beside = [f for _, _, files in os.walk(package) for f in files if f.endswith((".nbi", ".nbc"))]
    assert not beside, f"numba cached next to the installed package: {beside[:3]}"


def test_this_test_process_uses_the_same_cache():
    import numba

    import dimer_core  # noqa: F401

    assert numba.config.CACHE_DIR and numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]


# ----- set-up on a fresh Debian machine -----

STUB_PYTHON = """#!/bin/bash
# Debian's python3 without python3-venv: no ensurepip, and `-m venv` fails, until apt-get installed it.
if [ "$1" = -c ]; then [ -e "$STUB_DIR/venv-installed" ]; exit $?; fi
if [ "$1" = -m ] && [ "$2" = venv ]; then
  [ -e "$STUB_DIR/venv-installed" ] || { echo "ensurepip is not available" >&2; mkdir -p .venv/bin; exit 1; }
  mkdir -p .venv/bin
  for f in pip python; do
    printf '#!/bin/sh\\necho "$0 $*" >> "$STUB_DIR/calls"\\n' > .venv/bin/$f; chmod +x .venv/bin/$f
  done
fi
exit 0
"""
STUB_APT = """#!/bin/bash
echo "apt-get $*" >> "$STUB_DIR/calls"
case " $* " in *" python3-venv "*) touch "$STUB_DIR/venv-installed";; esac
"""


def _stub(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("has_venv", [False, True])
def test_setup_installs_python3_venv_where_missing(tmp_path, has_venv):
    """.ci/setup on a stand-in for a fresh Debian (root, python3 without ensurepip): apt-get, then the venv."""
    project, stubs = tmp_path / "project", tmp_path / "stubs"
    (project / ".ci").mkdir(parents=True)
    stubs.mkdir()
    shutil.copy(os.path.join(ROOT, ".ci", "setup"), project / ".ci" / "setup")
    for name in ("pyproject.toml", "requirements.txt", "dimer_core/__init__.py", "dashboard/__init__.py"):
        (project / name).parent.mkdir(exist_ok=True)
        (project / name).write_text("")
    _stub(stubs / "python3", STUB_PYTHON)
    _stub(stubs / "apt-get", STUB_APT)
    _stub(stubs / "id", "#!/bin/sh\necho 0\n")
    _stub(stubs / "chromium", "#!/bin/sh\n")
    if has_venv:
        (stubs / "venv-installed").touch()
    env = _env(PATH=f"{stubs}:{os.environ['PATH']}", STUB_DIR=str(stubs), PYTHON=str(stubs / "python3"))
    out = subprocess.run(["bash", str(project / ".ci" / "setup")], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    calls = (stubs / "calls").read_text().splitlines()
    apt = [c for c in calls if c.startswith("apt-get")]
    if has_venv:
        assert apt == []
    else:
        assert any(c.startswith("apt-get install") and "python3-venv" in c.split() for c in apt), calls
    assert any(c.endswith("pip install -q --disable-pip-version-check -r requirements.txt .[app,studies,test,docs]")
               for c in calls), calls
    assert any(c.endswith("python -m dimer_core.warmup") for c in calls), calls


# ----- the README's commands, as printed -----

def readme_commands():
    """The shell commands in the README's code blocks (indented by four spaces)."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # the Python example
    commands, blank, in_block = [], True, False
    for line in text.splitlines():
        if not line.strip():
            blank = True
            continue
        in_block = line.startswith("    ") and (blank or in_block)  # a list item's continuation is no code
        blank = False
        if in_block:
            commands.append(line.strip().split("  #")[0].strip())
    return commands


def test_readme_commands_need_no_activated_venv():
    commands = readme_commands()
    assert len(commands) >= 10, commands
    for command in commands:
        for part in command.split("&&"):
            program = part.split()[0]
            assert program == "bash" or program.startswith(".venv/bin/"), command
            if program.startswith(".venv/bin/"):
                assert os.path.exists(os.path.join(VENV_BIN, os.path.basename(program))), command


def test_readme_command_line_section_runs_as_printed(tmp_path):
    """Every command of "Command line" but `figures` (minutes; its parts are tested in test_cli.py)."""
    commands = [c for c in readme_commands() if c.startswith(".venv/bin/dimer-core ")
                and c.split()[1] in ("point", "maps", "sweep")]
    assert len(commands) >= 5, commands
    shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples")  # as from the checkout's folder
    for command in commands:
        argv = command.split()
        argv[0] = os.path.join(VENV_BIN, os.path.basename(argv[0]))
        out = subprocess.run(argv, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, (command, out.stderr)
        if "--out" in argv:
            assert (tmp_path / argv[argv.index("--out") + 1]).exists(), command


def test_readme_junction_study_runs_as_printed(tmp_path):
    """The README's junction study (examples/study_chain3.toml, a model file beside it) as printed."""
    commands = [c for c in readme_commands() if c.startswith(".venv/bin/dimer-core study examples/study_chain3")]
    assert len(commands) == 1, commands
    shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples")
    argv = commands[0].split()
    argv[0] = os.path.join(VENV_BIN, os.path.basename(argv[0]))
    out = subprocess.run(argv, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (commands[0], out.stderr)
    import xarray as xr

    ds = xr.open_zarr(tmp_path / argv[argv.index("--out") + 1] / "results.zarr", consolidated=False)
    assert ds.attrs["junction"] == "chain3" and ds.attrs["pair"] == "1,3"
    assert dict(ds.sizes) == {"bond.1-2.t": 2, "eps.2": 3, "mu_F": 61, "V": 61}
    assert np.isfinite(ds["J_13"].values).all() and np.abs(ds["J_13"].values).max() > 0
