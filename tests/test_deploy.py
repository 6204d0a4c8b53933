"""What the Dockerfile runs works: the install script, the numba warm-up, and the served app.

Everything runs from a folder outside the checkout, with the installed package and its console scripts.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.join(os.path.dirname(__file__), "..")
VENV_BIN = os.path.dirname(sys.executable)


def dockerfile():
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        return f.read()


def test_dockerfile_installs_with_the_ci_script():
    text = dockerfile()
    assert "RUN bash .ci/setup" in text
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        assert "bash .ci/setup" in f.read()
    assert "EXPOSE 5006" in text


def test_warmup_fills_the_numba_cache(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "dimer_core.warmup"], env=env, capture_output=True, text=True,
                         timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    cached = [f for _, _, files in os.walk(tmp_path) for f in files if f.endswith(".nbi")]
    assert len(cached) >= 10


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_docker_command_serves_the_app(tmp_path):
    cmd = json.loads(re.search(r"CMD (\[.*?\])", dockerfile(), re.S).group(1).replace("\\\n", ""))
    port = _free_port()
    assert cmd[0] == ".venv/bin/dimer-dashboard"
    cmd = [os.path.join(VENV_BIN, os.path.basename(c)) if c.startswith(".venv/bin/") else c for c in cmd]
    cmd = [c.replace("5006", str(port)).replace("0.0.0.0", "127.0.0.1") for c in cmd]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                    body = r.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
                assert time.time() < deadline, "server did not answer"
                time.sleep(0.5)
        assert "Spin dimer" in body or "bokeh" in body.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
