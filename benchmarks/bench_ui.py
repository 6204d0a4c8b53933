"""Dashboard latency in a real browser (Debian's Chromium, headless): slider change -> updated plots.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_ui.py`` (about 2–3 minutes on 2 cores).

Measured, medians over repeats:

* slider change -> plots updated, for mu_F and V (target < 300 ms) and for t, t0, tL
  (target < 1 s).  The change is one ArrowRight/ArrowLeft on the slider's handle
  (``.param-<name> .noUi-handle``).  The clock starts at the keydown in the page
  (``performance.now()``) and stops when, polled inside the page every few ms,
  every plot that must change has new data in Bokeh's live data sources ("all
  plots"; "painted" adds the two animation frames in which Bokeh draws it): for
  mu_F/V the marker on all maps and the vertical lines / cuts that depend on it;
  for t, t0, tL all eight map images and the curve plots.  Also reported: the
  time until the server-side ``dashboard.p`` holds the new value (polled from
  Python, so only ~5 ms resolution) and until the first changed plot appears.
* pages: ``--pages N`` opens N pages one after another, each in a fresh browser context,
  from a fresh server in this process (numba's cache warm): seconds from the request
  of the page to every map and curve plot drawn, for the first page (a fresh server)
  and the later ones (a warm server).
* startup: from launching ``panel serve app.py`` as a subprocess to the first page
  with all maps drawn, with numba's cache warm (dimer_core's default, dimer_core/numba_cache.py) and
  cold (NUMBA_CACHE_DIR = a fresh temporary folder).

``--app DIR`` serves DIR/app.py instead (to compare a variant of the app).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from ui_support import CUT_MU, CUT_V, INTERACTIONS as INTER, LIVE_VIEWS_JS, MAP_TITLES as MAPS, OMEGA  # noqa: E402

TARGETS = {"mu_F": 0.3, "V": 0.3, "t": 1.0, "t0": 1.0, "tL": 1.0}

SIGNATURES_JS = """() => {
  // A short signature of every live plot's data: it changes whenever the plot is redrawn with new data.
""" + LIVE_VIEWS_JS + """
  // An image is told apart by its array's identity (a new map arrives as a new array): summing 8 x 161 x 161
  // numbers at every poll would load the page's main thread and slow down the very rendering we time.
  const ids = window.__bench_ids = window.__bench_ids || new WeakMap();
  const ident = (a) => { if (!ids.has(a)) { window.__bench_n = (window.__bench_n || 0) + 1;
                                            ids.set(a, window.__bench_n); }
                         return ids.get(a); };
  const sum = (a) => { let s = 0; if (!a) return 'none'; const arr = a.array || a;
                       for (let i = 0; i < arr.length; i++) { const x = arr[i]; if (isFinite(x)) s += x * (1 + (i % 7)); }
                       return s.toPrecision(12); };
  const out = {};
  for (const v of views) {
    if (v.model.type !== 'Figure') continue;
    const parts = {marker: [], lines: [], image: [], span: []};
    for (const r of v.model.renderers) {
      if (r.type === 'Span') { parts.span.push(r.location); continue; }
      const g = r.glyph, d = r.data_source ? r.data_source.data : null;
      if (!g || !d) continue;
      if (g.type === 'Scatter') parts.marker.push(sum(d[g.x.field]) + ',' + sum(d[g.y.field]));
      else if (g.type === 'Line') parts.lines.push(sum(d[g.y.field]));
      else if (g.type === 'Image') parts.image.push(d.image && d.image.length ? ident(d.image[0]) : 'none');
    }
    const key = v.model.title ? v.model.title.text : '?';
    out[key] = Object.fromEntries(Object.entries(parts).map(([k, x]) => [k, x.join('|')]));
  }
  return out;
}"""

ARM_JS = """([expected]) => {
  // expected: [[title prefix, part]]; resolves when all have changed after the next keydown.
  window.__bench = {t0: null, first: null, done: null, painted: null};
  const sig = %s;
  const before = sig();
  const pick = (s, prefix, part) => { const k = Object.keys(s).find(t => t === prefix || t.startsWith(prefix));
                                       return k === undefined ? undefined : s[k][part]; };
  document.addEventListener('keydown', () => { window.__bench.t0 = performance.now(); }, {once: true, capture: true});
  const poll = () => {
    const b = window.__bench;
    if (b.t0 !== null) {
      const now = sig();
      const changed = expected.map(([p, part]) => pick(now, p, part) !== pick(before, p, part));
      if (b.first === null && changed.some(x => x)) b.first = performance.now() - b.t0;
      if (changed.every(x => x)) {
        b.done = performance.now() - b.t0;
        // the frame after next has the new data on screen (Bokeh paints in animation frames)
        requestAnimationFrame(() => requestAnimationFrame(() => { b.painted = performance.now() - b.t0; }));
        return;
      }
    }
    setTimeout(poll, 5);
  };
  poll();
}""" % SIGNATURES_JS

EXPECTED = {
    "V": [(m, "marker") for m in MAPS] + [(CUT_V, "span"), (OMEGA, "span"), (INTER, "span"), (CUT_MU, "lines")],
    "mu_F": [(m, "marker") for m in MAPS] + [(CUT_MU, "span"), (CUT_V, "lines"), (OMEGA, "lines")],
}
for _name in ("t", "t0", "tL"):
    EXPECTED[_name] = [(m, "image") for m in MAPS] + [(CUT_V, "lines"), (CUT_MU, "lines"), (OMEGA, "lines"),
                                                       (INTER, "lines")]


def latencies(page, dash, name, repeats):
    """Latencies (s) of ``repeats`` one-step changes of ``name`` through its slider handle."""
    from ui_support import wait_until

    handle = page.locator(f".param-{name} .noUi-handle")
    handle.focus()
    total, first, server, painted = [], [], [], []
    for k in range(repeats):
        key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
        old = getattr(dash.p, name)
        page.evaluate(ARM_JS, [EXPECTED[name]])
        t0 = time.perf_counter()
        handle.press(key)
        wait_until(lambda: getattr(dash.p, name) != old, timeout=60, interval=0.002, message=f"{name} on the server")
        server.append(time.perf_counter() - t0)
        result = wait_until(lambda: page.evaluate("() => window.__bench.done !== null && window.__bench"),
                            timeout=60, interval=0.01, message=f"the plots after changing {name}")
        total.append(result["done"] / 1000)
        first.append(result["first"] / 1000)
        painted.append(wait_until(lambda: page.evaluate("() => window.__bench.painted"), timeout=60, interval=0.01,
                                  message="the next frames") / 1000)
        page.wait_for_timeout(300)  # let trailing updates (e.g. value_throttled) settle before the next step
    return total, first, server, painted


def measure_latency(repeats, names=tuple(TARGETS)):
    from playwright.sync_api import sync_playwright

    from ui_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, open_app, serve_app

    rows = {}
    with serve_app() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        session = open_app(page, server)
        latencies(page, session.dashboard, "V", 2)  # warm-up: first updates compile/caches
        for name in names:
            rows[name] = latencies(page, session.dashboard, name, repeats)
            total = rows[name][0]
            print(f"  {name}: all plots {med(total) * 1000:.0f} ms (median of {len(total)})", flush=True)
        assert session.errors == [], session.errors
        browser.close()
    return rows


def measure_pages(n):
    """Seconds from requesting a page to every map and curve plot drawn, for ``n`` pages in turn (each in a
    fresh browser context) from one fresh server in this process; the first is the fresh server's first page."""
    from playwright.sync_api import sync_playwright

    from ui_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, maps_rendered, serve_app, wait_until

    out = []
    with serve_app() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(n):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(server.url, timeout=600_000)
            wait_until(lambda: maps_rendered(page), timeout=600, interval=0.05, message="maps in the page")
            out.append(time.perf_counter() - t0)
            context.close()
            print(f"  page drawn after {out[-1]:.2f} s", flush=True)
        browser.close()
    return out


def startup_once(app_dir, cache_dir, browser):
    """Seconds from launching ``panel serve`` to a page with every map drawn (and to listening)."""
    from ui_support import free_port, maps_rendered, wait_listening, wait_until

    port = free_port()
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=os.pathsep.join([app_dir, ROOT]))
    cmd = [os.path.join(os.path.dirname(sys.executable), "panel"), "serve", os.path.join(app_dir, "app.py"),
           "--port", str(port), "--address", "127.0.0.1", "--allow-websocket-origin", f"127.0.0.1:{port}"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, timeout=300, proc=proc)
        listening = time.perf_counter() - t0
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/app", timeout=600_000)
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=600_000)
        wait_until(lambda: maps_rendered(page), timeout=600, interval=0.05, message="maps in the page")
        total = time.perf_counter() - t0
        page.close()
        return total, listening
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure_startup(app_dir, warm_repeats, cold_repeats):
    from playwright.sync_api import sync_playwright

    from ui_support import CHROMIUM, CHROMIUM_ARGS

    from dimer_core.numba_cache import default_dir

    warm_cache = os.environ.get("NUMBA_CACHE_DIR") or default_dir()  # the cache every entry point uses
    out = {"warm": [], "cold": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        startup_once(app_dir, warm_cache, browser)  # fills the warm cache if it is empty
        for _ in range(warm_repeats):
            out["warm"].append(startup_once(app_dir, warm_cache, browser))
        for _ in range(cold_repeats):
            cold = tempfile.mkdtemp(prefix="numba-cold-")
            try:
                out["cold"].append(startup_once(app_dir, cold, browser))
            finally:
                shutil.rmtree(cold, ignore_errors=True)
        browser.close()
    return out


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="slider changes per parameter (default 10)")
    parser.add_argument("--warm", type=int, default=3, help="warm-cache startups (default 3)")
    parser.add_argument("--cold", type=int, default=2, help="cold-cache startups (default 2)")
    parser.add_argument("--app", default=ROOT, help="folder holding the app.py to measure (default: the project)")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--pages", type=int, metavar="N",
                        help="only open N pages in turn from a fresh in-process server and time each until drawn")
    parser.add_argument("--only", nargs="+", choices=list(TARGETS), default=list(TARGETS),
                        help="measure only these sliders (default: all)")
    args = parser.parse_args(argv)
    app_dir = os.path.abspath(args.app)
    if app_dir == ROOT:
        # the project's app.py with the installed packages, as dimer-dashboard runs it: the checkout's dimer_core
        # first on sys.path was imported instead, under another path, so numba compiled every kernel the page uses
        # into a cache of its own (a first page of ≈17 s after each change of the kernels)
        sys.path.append(app_dir)
    else:
        sys.path.insert(0, app_dir)  # another checkout: its app.py with its own packages

    if args.pages:
        times = measure_pages(args.pages)
        print(f"\npage requested -> every map and curve plot drawn: first page of a fresh server {times[0]:.2f} s"
              + (f"; later pages median {med(times[1:]):.2f} s ({' '.join(f'{t:.2f}' for t in times[1:])})"
                 if len(times) > 1 else "") + f"; load average {os.getloadavg()[0]:.1f}")
        return
    rows = measure_latency(args.repeats, args.only)
    print(f"\nslider change -> plots updated (median of {args.repeats}; one handle step each)")
    print(f"{'parameter':<10}{'server state':>14}{'first plot':>12}{'all plots':>11}{'target':>9}  ok"
          f"{'painted':>10}")
    for name, (total, first, server, painted) in rows.items():
        ok = "yes" if med(total) < TARGETS[name] else "NO"
        print(f"{name:<10}{med(server) * 1000:>11.0f} ms{med(first) * 1000:>9.0f} ms{med(total) * 1000:>8.0f} ms"
              f"{TARGETS[name] * 1000:>6.0f} ms  {ok:<3}{med(painted) * 1000:>7.0f} ms")
        print(f"{'':<10}all plots, every repeat (ms): {' '.join(f'{x * 1000:.0f}' for x in total)}")
    if not args.skip_startup:
        st = measure_startup(app_dir, args.warm, args.cold)
        print("\nstartup: `panel serve app.py` launched -> first page with all maps drawn (median)")
        print(f"{'numba cache':<12}{'listening':>11}{'maps drawn':>12}  runs")
        for kind, runs in st.items():
            print(f"{kind:<12}{med([r[1] for r in runs]):>9.1f} s{med([r[0] for r in runs]):>10.1f} s  "
                  + " ".join(f"{r[0]:.1f}" for r in runs))


if __name__ == "__main__":
    main()
