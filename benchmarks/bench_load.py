"""Load test on loopback: many pages opened at once, and many browser sessions moving sliders at once.

Run: ``.venv/bin/python benchmarks/bench_load.py --open 30`` (a few minutes): opening pages only.  Without
``--open`` (about 3–5 minutes on 2 cores): browser sessions moving sliders.

``--open N`` pulls pages without drawing them (``bokeh.client.pull_session``: it opens
the page's session over the websocket, where the server builds the page, and pulls its
whole document, as a browser's page does after its HTML; no HTML is fetched).  Printed:
the server's CPU time per page (median of ``--repeat`` pages pulled one after another,
after one page that warms the server) against a minimal page (one Bokeh figure and one
slider) pulled in the same run; then ``--rounds`` times N dashboard pages and N minimal
pages requested at once (interleaved, so both see the same load) from ``--clients``
processes (default 4: one process deserializing every page under one GIL was the
bottleneck), each page in its own thread: seconds until each page had its document,
the server's CPU (and how busy it was) and the clients' CPU; medians over the rounds
and the ratio to the minimal pages.  The clients build each document into Python models
as Bokeh's client does (≈1 s of CPU a page, on the server's cores); with ``--wire`` they
only receive it (its JSON), as a browser on another machine would before drawing.
``--procs P`` serves with P processes (Bokeh's ``num_procs``).

The dashboard is served by a separate process (this file with ``--serve PORT``) on
127.0.0.1 only.  One headless Chromium opens ``--sessions`` pages (default 10) at once,
each in its own browser context and driven on its own (Playwright's async API), and
they move sliders for ``--duration`` seconds (default 60): V (±0.2 mV) and mu_F (±0.1 meV) steps, and now and then a t step (±0.02 meV,
which recomputes every map).  Each page sends its next step only after the last one
arrived (then waits ``--pause`` s), so nothing can be silently dropped: a step
arrived when every map of that page shows the marker at the new (V, mu_F) — and,
for t, a new image — in the page's live Bokeh models.  The latency is timed inside
the page from the keydown, to the moment the models hold the step and to the moment
the page has redrawn (``ui_support.WATCH_JS``).

Printed: updates sent and arrived (and any lost), median / p95 / max latency per
kind of step, and the server process's resident memory (VmRSS from /proc) with
the shared energy-table caches (``dimer_core.couplings.dimer.cache_nbytes()``, read
through a /stats handler of the server) at start, with every page open, every
``--sample`` s while moving, at the end and after the pages closed; and the server's
CPU use between those samples (from /proc), to tell a busy server from a busy browser.
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))  # ui_support; dimer_core and dashboard are the installed ones

STEPS = {"V": 0.2, "mu_F": 0.1, "t": 0.02}
"""One ArrowRight on each slider: (upper - lower bound) / 1000."""


# ----- the server (a child process) -----

def rss_mb(pid):
    """Resident memory (MB) of a process, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid):
    """CPU time (user + system, s) a process has used, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def minimal_page():
    """The baseline page of ``--open``: one Bokeh figure with a line, and one slider."""
    import numpy as np
    import panel as pn
    from bokeh.plotting import figure

    fig = figure(width=300, height=200)
    fig.line(np.arange(10.0), np.arange(10.0))
    pn.Column(pn.widgets.FloatSlider(start=0, end=1), pn.pane.Bokeh(fig)).server_doc()


def serve_forever(port, procs=1):
    """``--serve PORT``: the dashboard on 127.0.0.1:PORT (and the minimal page at /minimal), plus /stats (JSON)
    for this benchmark."""
    import panel as pn
    from tornado.web import RequestHandler

    from dashboard import app
    from dimer_core.couplings.dimer import cache_nbytes

    class Stats(RequestHandler):
        def get(self):
            self.write({"rss_mb": rss_mb(os.getpid()), "cache_mb": cache_nbytes() / 2 ** 20,
                        "live_sessions": len(server.get_sessions("/"))})

    server = pn.serve({"/": app.session_page, "minimal": minimal_page}, port=port, address="127.0.0.1",
                      websocket_origin=[f"127.0.0.1:{port}"], show=False, start=False, num_procs=procs,
                      extra_patterns=[(r"/stats", Stats)],
                      session_token_expiration=app.SESSION_TOKEN_EXPIRATION)  # as `python app.py` serves
    server.start()
    server.io_loop.start()


class Server:
    def __init__(self, proc, port, procs=1):
        self.proc, self.port, self.procs = proc, port, procs
        self.url = f"http://127.0.0.1:{port}/"

    def stats(self, timeout=60):
        """Memory and cache figures of the server, asked over HTTP (RSS read from /proc if that fails)."""
        try:
            with urllib.request.urlopen(self.url + "stats", timeout=timeout) as r:
                stats = json.loads(r.read())
        except OSError as exc:
            stats = {"rss_mb": rss_mb(self.proc.pid), "cache_mb": float("nan"), "error": str(exc)}
        stats["cpu_s"] = cpu_seconds(self.proc.pid)
        return stats


def _children(pid):
    """Process ids of a process's children, from /proc (none if it has exited)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def tree_cpu_seconds(pid):
    """CPU time (s) of a process and its children (the forked servers of ``--procs``)."""
    return cpu_seconds(pid) + sum(tree_cpu_seconds(c) for c in _children(pid))


@contextmanager
def serve(procs=1):
    """Start the dashboard server process on a free loopback port; stop it at the end."""
    from ui_support import free_port, wait_listening

    port = free_port()
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(port), "--procs", str(procs)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, timeout=300, proc=proc)
        yield Server(proc, port, procs)
    finally:
        for child in _children(proc.pid):
            os.kill(child, 15)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----- opening pages without a browser (--open) -----

def pull(url, wire=False):
    """Pull one page's document as a browser would (a session over the websocket, then its whole document); close
    it.  Returns the number of models, or with ``wire`` the size of the document's JSON in characters: the
    document is received but not built into Python models (Bokeh's client does that in ≈1 s of CPU a page, twice
    the server's cost, which on one machine competes with the server; a browser builds it in JavaScript)."""
    import panel.models  # noqa: F401 - the document's Panel models must be known to deserialize it
    from bokeh.client import ClientSession, pull_session

    if not wire:
        session = pull_session(url=url)
        models = len(session.document.models)
        session.close()
        return models
    from bokeh.client.util import websocket_url_for_server_url

    session = ClientSession(websocket_url=websocket_url_for_server_url(url))
    try:
        session.connect()
        connection = session._connection  # what ClientConnection.pull_doc does, without push_to_document
        reply = connection._send_message_wait_for_reply(connection._protocol.create("PULL-DOC-REQ"))
        if reply is None or reply.header["msgtype"] != "PULL-DOC-REPLY":
            raise RuntimeError(f"no document: {reply and reply.content}")
        return len(json.dumps(reply.content, default=str))
    finally:
        session.close()


def pull_worker(urls, wire=False):
    """``--pull``: pull ``urls`` at once (one thread each) when told to go; print JSON: each page's seconds from
    the parent's start time (``time.time()``, given with "go") to its document, the errors, and this process's CPU
    time from then on."""
    import panel.models  # noqa: F401 - imported before the clock starts, as in :func:`pull`
    from bokeh.client import pull_session  # noqa: F401
    from bokeh.core.property.validation import validate

    from dashboard import bokeh_speed

    bokeh_speed.install()  # the client builds the same models as the server: the same shortcuts (≈8 % less CPU)
    validate(False)  # and need not check the values the server sent (≈10 % less)
    print("ready", flush=True)
    t0 = float(sys.stdin.readline())  # "go" with the start time: every client process starts together
    cpu0 = time.process_time()
    arrived, failed = [], []

    def one(url):
        try:
            pull(url, wire)
            arrived.append(time.time() - t0)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failed.append(f"{type(exc).__name__}: {exc}")
    threads = [threading.Thread(target=one, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"arrived": arrived, "failed": failed, "cpu_s": time.process_time() - cpu0}), flush=True)


def at_once(server, url, n, clients, wire=False):
    """Request ``n`` pages of ``url`` at once from ``clients`` processes (pages dealt round-robin, one thread per
    page): seconds until each page had its document, the server's CPU, and the clients' CPU.

    One pulling process deserializes every document under one GIL: with 30 pages it was the bottleneck (the
    server was busy 44 % of the time).  The clients are started and import Bokeh and Panel before the clock
    starts, then all are told to go at once."""
    procs = []
    for k in range(clients):
        urls = [url] * len(range(k, n, clients))
        if urls:
            procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), "--pull", json.dumps(urls)]
                                          + (["--wire"] if wire else []),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT))
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("a client process failed to start")
    c0, t0 = tree_cpu_seconds(server.proc.pid), time.time()
    for p in procs:
        p.stdin.write(f"{t0!r}\n")
        p.stdin.flush()
    arrived, failed, client_cpu = [], [], 0.0
    for p in procs:
        rep = json.loads(p.stdout.readline())
        p.wait()
        arrived += rep["arrived"]
        failed += rep["failed"]
        client_cpu += rep["cpu_s"]
    cpu = tree_cpu_seconds(server.proc.pid) - c0
    wall = max(arrived) if arrived else float("nan")
    return {"arrived": sorted(arrived), "failed": failed, "server_cpu_s": cpu, "client_cpu_s": client_cpu,
            "server_busy": cpu / wall / server.procs if arrived else float("nan")}


def open_pages(server, n, repeat=5, clients=4, rounds=3, wire=False, log=print):
    """Server CPU per page (one after another), then ``n`` pages requested at once, ``rounds`` times; each against
    the minimal page in the same run."""
    out = {"at_once": n, "clients": clients, "procs": server.procs, "load": os.getloadavg(), "wire": wire}
    pages = (("minimal", server.url + "minimal"), ("dashboard", server.url))
    for name, url in pages:
        pull(url)  # warms imports, caches and the first session's work
        cpu = []
        for _ in range(repeat):
            c0 = tree_cpu_seconds(server.proc.pid)
            out[f"{name}_models"] = pull(url)
            cpu.append(tree_cpu_seconds(server.proc.pid) - c0)
        out[f"{name}_cpu_s"] = statistics.median(cpu)
        out[f"{name}_cpu_all"] = cpu
        log(f"  {name:<10} page: server CPU median {statistics.median(cpu):.3f} s (of {repeat}: "
            f"{', '.join(f'{c:.2f}' for c in cpu)}), {out[f'{name}_models']} models")
    for r in range(rounds):  # interleaved: the baseline sees the same load
        for name, url in pages:
            rep = at_once(server, url, n, clients, wire)
            out.setdefault(f"{name}_rounds", []).append(rep)
            times = rep["arrived"]
            log(f"  round {r + 1}: {n} {name} pages at once: {len(times)} documents, last after "
                f"{times[-1] if times else float('nan'):.1f} s (median {statistics.median(times) if times else 0:.1f} s), "
                f"server CPU {rep['server_cpu_s']:.1f} s (busy {100 * rep['server_busy']:.0f} % of "
                f"{server.procs} process(es)), clients' CPU {rep['client_cpu_s']:.1f} s, "
                f"{len(rep['failed'])} failed")
    out["failed"] = [f for name, _ in pages for rep in out[f"{name}_rounds"] for f in rep["failed"]]
    return out


def print_open_report(rep):
    procs = rep["procs"]
    ratio = rep["dashboard_cpu_s"] / rep["minimal_cpu_s"]
    print(f"\nserver CPU per page: dashboard {rep['dashboard_cpu_s']:.3f} s, minimal page {rep['minimal_cpu_s']:.3f} s "
          f"(ratio {ratio:.1f}); {procs} server process(es); load average at start {rep['load'][0]:.1f}")
    last = {k: [r["arrived"][-1] for r in rep[f"{k}_rounds"] if r["arrived"]] for k in ("dashboard", "minimal")}
    median = {k: [statistics.median(r["arrived"]) for r in rep[f"{k}_rounds"] if r["arrived"]]
              for k in ("dashboard", "minimal")}
    if last["dashboard"] and last["minimal"]:
        d, m = statistics.median(last["dashboard"]), statistics.median(last["minimal"])
        cpu = statistics.median(r["server_cpu_s"] for r in rep["dashboard_rounds"])
        busy = statistics.median(r["server_busy"] for r in rep["dashboard_rounds"])
        how = "documents received, not built into models" if rep["wire"] else "documents built by Bokeh's client"
        print(f"{rep['at_once']} pages requested at once ({rep['clients']} client processes, {how}; medians of "
              f"{len(last['dashboard'])} rounds): all documents after {d:.1f} s (rounds: "
              f"{', '.join(f'{x:.1f}' for x in last['dashboard'])}; a page's median "
              f"{statistics.median(median['dashboard']):.1f} s); minimal pages {m:.1f} s (ratio {d / m:.1f}); "
              f"server CPU {cpu:.1f} s ({cpu / rep['at_once']:.2f} s per page), busy {100 * busy:.0f} % of "
              f"{procs} process(es)")
    if rep["failed"]:
        print(f"{len(rep['failed'])} failed:", *rep["failed"][:5], sep="\n  ")


# ----- the sessions (Playwright's async API: each page is driven on its own) -----

class Session:
    """One page moving sliders: its expected (V, mu_F) and the direction of its next t step."""

    def __init__(self, page, errors, rng):
        self.page, self.errors, self.rng = page, errors, rng
        self.V, self.mu_F, self.t_up = 0.0, 0.0, True

    def next_step(self):
        """(slider, key, expected V, expected mu_F, new images?) of a random step, kept near the origin."""
        r = self.rng.random()
        if r < 0.1:
            key = "ArrowRight" if self.t_up else "ArrowLeft"
            self.t_up = not self.t_up
            return "t", key, self.V, self.mu_F, True
        name = "V" if r < 0.55 else "mu_F"
        value, limit = (self.V, 3.0) if name == "V" else (self.mu_F, 2.0)
        up = self.rng.random() < 0.5 if abs(value) < limit else value < 0
        value = round(value + (STEPS[name] if up else -STEPS[name]), 10)
        if name == "V":
            self.V = value
        else:
            self.mu_F = value
        return name, "ArrowRight" if up else "ArrowLeft", self.V, self.mu_F, False


async def _open(browser, url, timeout, rng):
    """A page in its own browser context, with its maps drawn."""
    from ui_support import PLOTS_JS, VIEWPORT, all_drawn

    page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    errors = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
    await page.goto(url, wait_until="commit", timeout=timeout * 1000)
    await page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if all_drawn(await page.evaluate(PLOTS_JS)):
                break
        except Exception:  # noqa: BLE001 - views still being built
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"maps not drawn after {timeout} s")
        await asyncio.sleep(0.2)
    return Session(page, errors, rng)


async def _move(s, end, pause, step_timeout, out):
    """Step sliders of one page until ``end``; each step must arrive before the next is sent."""
    from ui_support import WATCH_JS

    while time.monotonic() < end:
        name, key, V, mu_F, images = s.next_step()
        await s.page.evaluate(WATCH_JS, [V, mu_F, images, 1e-6])
        out["sent"] += 1
        await s.page.locator(f".param-{name} .noUi-handle").press(key)
        try:
            done = await s.page.wait_for_function(
                "() => window.__upd.job === null && window.__upd.done.at(-1)", polling=20, timeout=step_timeout * 1000)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            out["lost"].append(f"{name} -> V={V}, mu_F={mu_F}: {type(exc).__name__}")
            return  # this page's expected state is unknown from here on
        models, shown = await done.json_value()
        out["latency"][name].append((models / 1000, shown / 1000))
        await asyncio.sleep(pause)


async def _run(server, sessions, duration, pause, sample_every, open_timeout, step_timeout, log, seed):
    from playwright.async_api import async_playwright

    from ui_support import CHROMIUM, CHROMIUM_ARGS

    samples, t_start = [], time.monotonic()

    async def sample(label):
        stats = await asyncio.to_thread(server.stats)
        stats.update(label=label, t=time.monotonic() - t_start)
        samples.append(stats)
        log(f"  {label:<22} RSS {stats['rss_mb']:7.1f} MB, shared caches {stats['cache_mb']:6.1f} MB, "
            f"live sessions {stats.get('live_sessions', '?')}")

    out = {"sent": 0, "lost": [], "latency": {"V": [], "mu_F": [], "t": []}}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        await sample("start (no session)")
        t_open = time.monotonic()
        pages = await asyncio.gather(*(_open(browser, server.url, open_timeout, random.Random(seed + k))
                                       for k in range(sessions)))
        opened = time.monotonic() - t_open
        await sample(f"{sessions} sessions open")
        t_move = time.monotonic()
        end = t_move + duration
        movers = asyncio.gather(*(_move(s, end, pause, step_timeout, out) for s in pages))
        while not movers.done():
            await asyncio.wait([movers], timeout=sample_every)
            if not movers.done():
                await sample(f"moving, {time.monotonic() - t_move:.0f} s")
        await movers
        await sample("end")
        errors = [e for s in pages for e in s.errors]
        for s in pages:
            await s.page.context.close()
        await browser.close()
    arrived = sum(len(v) for v in out["latency"].values())
    return {"sessions": sessions, "duration": duration, "pause": pause, "open_s": opened, "sent": out["sent"],
            "arrived": arrived, "lost": out["lost"], "latency": out["latency"], "samples": samples,
            "console_errors": errors}


def run(server, sessions=10, duration=60.0, pause=0.2, sample_every=10.0, open_timeout=900.0, step_timeout=120.0,
        log=print, seed=1):
    """Open the sessions at once, move sliders for ``duration`` s, wait for the last steps; return the figures.

    Runs its own Chromium and event loop in a worker thread, so it can be called from
    anywhere (also from a test that uses Playwright's sync API).
    """
    result = {}

    def target():
        try:
            result["report"] = asyncio.run(_run(server, sessions, duration, pause, sample_every, open_timeout,
                                                step_timeout, log, seed))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            result["error"] = exc

    worker = threading.Thread(target=target, name="bench-load")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["report"]


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def print_report(rep):
    print(f"\n{rep['sessions']} sessions, {rep['duration']:.0f} s of slider moves (pause {rep['pause']} s "
          f"after each arrived step); opening them took {rep['open_s']:.0f} s")
    print(f"updates sent {rep['sent']}, arrived {rep['arrived']}, lost {len(rep['lost'])} {rep['lost'] or ''}")
    rows = list(rep["latency"].items()) + [("all", [x for v in rep["latency"].values() for x in v])]
    print("latency from the keydown until every map's models in that page hold the step / the page redrew:")
    print(f"{'step':<8}{'count':>7}{'median':>16}{'p95':>16}{'max':>16}")
    for name, pairs in rows:
        if pairs:
            cols = [[p[i] * 1000 for p in pairs] for i in (0, 1)]
            stat = [(statistics.median(c), percentile(c, 0.95), max(c)) for c in cols]
            print(f"{name:<8}{len(pairs):>7}" + "".join(f"{stat[0][j]:>7.0f} /{stat[1][j]:>5.0f} ms" for j in range(3)))
    print("server memory (VmRSS), shared caches, and the server's CPU use since the previous sample:")
    previous = None
    for r in rep["samples"]:
        cpu = "" if previous is None or r["t"] <= previous["t"] else \
            f"   CPU {100 * (r['cpu_s'] - previous['cpu_s']) / (r['t'] - previous['t']):4.0f} % of a core"
        print(f"  {r['t']:6.0f} s  {r['label']:<22} RSS {r['rss_mb']:7.1f} MB   caches {r['cache_mb']:6.1f} MB{cpu}")
        previous = r
    if rep["console_errors"]:
        print("console errors:", *rep["console_errors"][:10], sep="\n  ")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of slider moves (default 60)")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds a page waits after each arrived step")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--open", type=int, metavar="N", help="only open N pages at once, without a browser")
    parser.add_argument("--repeat", type=int, default=5, help="pages pulled one by one for the CPU per page")
    parser.add_argument("--procs", type=int, default=1, help="server processes (Bokeh's num_procs)")
    parser.add_argument("--clients", type=int, default=4,
                        help="client processes pulling the pages of --open at once (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="times the pages of --open are requested at once")
    parser.add_argument("--wire", action="store_true",
                        help="--open: receive each document without building it into Python models")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--pull", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve, args.procs)
        return
    if args.pull:
        pull_worker(json.loads(args.pull), args.wire)
        return
    if args.open:
        with serve(args.procs) as server:
            rep = open_pages(server, args.open, args.repeat, args.clients, args.rounds, args.wire)
        print_open_report(rep)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rep, f, indent=1)
        sys.exit(1 if rep["failed"] else 0)
    with serve() as server:
        rep = run(server, args.sessions, args.duration, args.pause, args.sample)
        time.sleep(30)  # Bokeh drops a closed page's session after ~15-17 s
        rep["samples"].append(dict(server.stats(), label="pages closed, +30 s", t=rep["samples"][-1]["t"] + 30))
    print_report(rep)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep, f, indent=1)
    if rep["lost"] or rep["arrived"] != rep["sent"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
