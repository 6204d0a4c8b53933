"""Browser-test support: serve the dashboard in-process, drive Debian's Chromium, read Bokeh's state.

A plain module (not a conftest): ``tests/test_ui.py`` imports its fixtures, and
``benchmarks/bench_ui.py`` its helpers.  What works on these machines is in
/work/shared/TESTING.md: the system Chromium with the flags below, ``pn.serve(...,
threaded=True)`` in the test process, selectors into Bokeh's shadow DOM, plot
state read from the page's live Bokeh views.
"""
import os
import socket
import time
import traceback
from contextlib import contextmanager

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1600, "height": 1300}
MAP_TITLES = ("J₂", "D₂", "α⁽ⁱ⁾₂₂", "j⁽ⁱ⁾₂₂", "A₂", "K₂", "α⁽ᵃⁿ⁾₂₂", "j⁽ᵃⁿ⁾₂₂")  # the default maps' symbols
CUT_V = "cuts against V"            # title prefixes of the plots with a VLine at V ...
CUT_MU = "cuts against μ_F"         # ... at mu_F
OMEGA = "mean orientation Ω"
INTERACTIONS = "interaction comparison"


# ----- waiting -----

def wait_until(condition, timeout=30.0, interval=0.05, message="condition"):
    """Poll ``condition()`` until it returns something truthy; return that, or fail after ``timeout`` s.

    Exceptions raised by ``condition`` count as "not yet" (the last one is shown on failure).
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = condition()
            if value:
                return value
            last = value
        except Exception as exc:  # noqa: BLE001 - reported below
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}; last: {last!r}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=60.0, proc=None):
    """Wait for a TCP listener (without opening a page: a GET / would start a session)."""
    def up():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    wait_until(up, timeout=timeout, interval=0.1, message=f"a server on port {port}")


# ----- serving -----

class AppServer:
    """``app.create_app`` served in this process (laid out by ``app.attach``, as `python app.py` does) at /, and
    the junction page (``junction_page.junction_app``) at /junction.

    ``created`` lists every session's template in order (``junctions`` the junction pages'); ``failures`` the
    tracebacks of page functions that raised (Panel then serves an error page with status 200).
    """

    def __init__(self, server, port, created, failures, junctions):
        self.server, self.port, self.created, self.failures = server, port, created, failures
        self.junctions = junctions
        self.url = f"http://127.0.0.1:{port}/"


@contextmanager
def serve_app():
    import panel as pn

    from dashboard import app, junction_page

    created, failures, junctions = [], [], []

    def recorded(build, lay_out, into):
        """A page function: ``build()``'s template, kept in ``into`` and laid out; its traceback if it raised."""
        def page():
            try:
                template = build()
            except Exception:
                failures.append(traceback.format_exc())
                raise
            into.append(template)
            lay_out(template)
        return page

    pages = {"/": recorded(app.create_app, app.attach, created),
             "junction": recorded(junction_page.junction_app, lambda t: t.server_doc(pn.state.curdoc), junctions)}
    port = free_port()
    server = pn.serve(pages, port=port, address="127.0.0.1",
                      websocket_origin=f"127.0.0.1:{port}", threaded=True, show=False)
    try:
        wait_listening(port)
        yield AppServer(server, port, created, failures, junctions)
    finally:
        server.stop()
        server.join(timeout=30)
        drop_abandoned_documents()


def drop_abandoned_documents():
    """Destroy the session documents a stopped server left as the process's current document.

    Stopping a threaded Panel server cancels its tasks; Bokeh's ``patch_curdoc`` has no ``finally``, so a callback
    cancelled inside it stays pushed and ``pn.state.curdoc`` keeps returning its session's document (with its
    session context) in every thread.  The dashboard's state tests that follow would post their runs' updates to that
    document's loop, which no longer turns, and wait forever (tests/test_ui_teardown.py).  Destroying the document
    clears its session context, so ``pn.state.curdoc`` is None again."""
    import panel as pn

    for _ in range(1000):
        doc = pn.state.curdoc
        if doc is None:
            return
        doc.destroy(None)
    raise AssertionError("a stopped server left more than 1000 current documents")


# ----- reading the page -----

LIVE_VIEWS_JS = """  // views: every live Bokeh view in the page (each root's view and its children, once each)
  const seen = new Set(), views = [];
  const walk = (v) => { if (!v || seen.has(v)) return; seen.add(v); views.push(v);
                        for (const c of (v.child_views || [])) walk(c); };
  for (const root of Object.values(Bokeh.index || {})) walk(root);"""

PLOTS_JS = """() => {
  // Every live (displayed) Bokeh plot: title, VLine positions, scatter points, image summary.
""" + LIVE_VIEWS_JS + """
  const out = {};
  for (const v of views) {
    if (v.model.type !== 'Figure') continue;
    const fig = v.model, title = fig.title ? fig.title.text : '';
    const plot = {spans: [], points: [], image: null, lines: 0};
    for (const r of fig.renderers) {
      if (r.tags && r.tags[0] === 'legend swatch') continue;  // a legend's data-less copy of a curve
      if (r.type === 'Span') { plot.spans.push(r.location); continue; }
      const g = r.glyph, d = r.data_source ? r.data_source.data : {};
      if (!g) continue;
      if (g.type === 'Scatter') {
        const fx = (g.x && g.x.field) || 'x', fy = (g.y && g.y.field) || 'y';
        const xs = Array.from(d[fx] || []), ys = Array.from(d[fy] || []);
        xs.forEach((x, i) => plot.points.push([x, ys[i]]));
      } else if (g.type === 'Line') {
        plot.lines += 1;
      } else if (g.type === 'Image' && d.image && d.image.length) {
        const img = d.image[0], arr = img.array || img;
        let sum = 0, n = 0;
        for (let i = 0; i < arr.length; i++) { if (isFinite(arr[i])) { sum += Math.abs(arr[i]); n++; } }
        const cm = g.color_mapper;
        plot.image = {sum, n, low: cm ? cm.low : null, high: cm ? cm.high : null};
      }
    }
    const c = v.canvas_view.el.getBoundingClientRect(), f = v.frame.bbox;
    plot.frame = {left: c.left + f.left, top: c.top + f.top, width: f.width, height: f.height};
    out[title] = plot;
  }
  return out;
}"""

DATA_TO_PAGE_JS = """([title, x, y]) => {
  // Page coordinates (CSS px) of the data point (x, y) in the live plot with this title.
""" + LIVE_VIEWS_JS + """
  const v = views.find(v => v.model.type === 'Figure' && v.model.title && v.model.title.text === title);
  if (!v) return null;
  const c = v.canvas_view.el.getBoundingClientRect();
  return [c.left + v.frame.x_scale.compute(x), c.top + v.frame.y_scale.compute(y)];
}"""


def plots(page):
    """Live plots in the page by title (see PLOTS_JS)."""
    return page.evaluate(PLOTS_JS)


def plot(page, prefix):
    """The live plot whose title starts with ``prefix`` (exact title for a map)."""
    found = {t: p for t, p in plots(page).items() if t == prefix or t.startswith(prefix)}
    assert len(found) == 1, f"expected one plot titled {prefix!r}, found {sorted(found)}"
    return next(iter(found.values()))


def maps_rendered(page):
    """True when every default map shows an image and the four curve plots have their VLine."""
    return all_drawn(plots(page))


def all_drawn(ps):
    """:func:`maps_rendered` for the result ``ps`` of PLOTS_JS."""
    images = [t for t in MAP_TITLES if ps.get(t, {}).get("image") and ps[t]["image"]["n"] > 0]
    curves = [t for t, p in ps.items() if p["lines"] > 0 and p["spans"]]
    return len(images) == len(MAP_TITLES) and len(curves) >= 4


def data_to_page(page, title, x, y):
    return page.evaluate(DATA_TO_PAGE_JS, [title, x, y])


# ----- opening the app -----

class Session:
    """One opened page, its server-side template and what its console said."""

    def __init__(self, page, template, errors):
        self.page, self.template, self.errors = page, template, errors

    @property
    def dashboard(self):
        return self.template.dashboard


def watch_console(page):
    """Collect console errors and uncaught page errors of ``page`` (a list that keeps filling)."""
    errors = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def open_app(page, server, query="", timeout=90.0):
    """Open the app (optionally with a URL query), wait for the maps, return the :class:`Session`."""
    errors = watch_console(page)
    before, failed = len(server.created), len(server.failures)
    response = page.goto(server.url + query, timeout=timeout * 1000)
    assert response is not None and response.ok, (
        f"GET {server.url + query} answered {response.status if response else None}: "
        f"{response.text()[:2000] if response else ''}")
    wait_until(lambda: len(server.created) > before or len(server.failures) > failed, timeout=timeout,
               message="the session's template")
    assert len(server.failures) == failed, "create_app() raised:\n" + server.failures[-1]
    template = server.created[before]
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=timeout * 1000)
    wait_until(lambda: maps_rendered(page), timeout=timeout, interval=0.1, message="maps and curves in the page")
    return Session(page, template, errors)


def open_junction(page, server, timeout=300.0):
    """Open the junction page (/junction); return its server-side template once the page function has run."""
    before = len(server.junctions)
    response = page.goto(server.url + "junction", timeout=timeout * 1000)
    assert response is not None and response.ok
    wait_until(lambda: len(server.junctions) > before or server.failures, timeout=timeout,
               message="the junction page's template")
    assert not server.failures, server.failures[-1]
    return server.junctions[before]


def screenshot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path)
    return path


# ----- pytest fixtures (imported by test_ui.py) -----

@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: Debian's Chromium (``playwright install`` does not work here)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": VIEWPORT}


@pytest.fixture(scope="module")
def app_server():
    with serve_app() as server:
        yield server


# ----- tabs and background runs -----

RUN = 600.0
"""Seconds allowed for a background run to start, report, stop or finish."""


def new_page(browser):
    """A page in a fresh browser context: another user, with its own cookies and session."""
    return browser.new_context(viewport=VIEWPORT, accept_downloads=True).new_page()


def open_tab(page, name):
    page.locator(".bk-tab").get_by_text(name, exact=True).click()


def run_button(page, run):
    return page.locator(f".run-{run} button")


def stop_button(page, run):
    return page.locator(f".stop-{run} button")


def progress(page, run):
    """The value (0–100) of the run's progress bar in the page."""
    return float(page.locator(f"progress.progress-{run}").get_attribute("value"))


def status(page, run):
    return " ".join(page.locator(f".status-{run} pre").all_inner_texts())


def start_run(page, run):
    """Click the Run button of ``run`` (its name) and, where the page first shows the run's estimate (a run over
    ten seconds), its Start button."""
    run_button(page, run).click()
    offer = page.locator(f".offer-{run}").first
    if wait_until(lambda: "offer" if offer.is_visible() else not stop_button(page, run).is_disabled()
                  or "done" in status(page, run), timeout=60, message=f"the {run} run or its estimate") == "offer":
        page.locator(f".offer-{run}-start button").click()


def set_realizations(page, dash, key):
    """Press ``key`` (Home: 2, End: 256) on the visible "trajectories per bias" slider."""
    lo, hi = type(dash).param["realizations"].bounds
    handle = page.locator(f'.noUi-handle[aria-valuemax="{float(hi)}"]')
    handle.press(key)
    want = lo if key == "Home" else hi
    wait_until(lambda: dash.realizations == want, timeout=60, message=f"{want} trajectories per bias on the server")


def stop_quietly(*runs):
    for run in runs:
        run.stop()
    for run in runs:
        wait_until(lambda: not run.running, timeout=RUN, message=f"the {run.name} run to end")


# ----- timing one slider change inside the page -----

WATCH_JS = """([V, mu, images, tol]) => {
  // Arm a watcher for the next slider change of this page.  Its clock starts at the next keydown
  // (capture phase, performance.now()) and records two times: `models`, when every map's marker model
  // holds (V, mu) (null: any value) and, if `images`, every map's image model holds a new array (seen
  // by a Bokeh document change callback, as the server's message is applied); `shown`, when the page's
  // script is next free to look (polled every 10 ms), i.e. after the page has also redrawn.
  // window.__upd.done collects [models, shown] (ms); window.__upd.job is null once the change arrived.
  const MAPS = %s;
  const w = window.__upd = window.__upd || {done: [], job: null};
  const figures = () => {
    const seen = new Set(), out = {};
    const walk = (v) => { if (!v || seen.has(v)) return; seen.add(v);
                          if (v.model.type === 'Figure' && v.model.title) out[v.model.title.text] = v.model;
                          for (const c of (v.child_views || [])) walk(c); };
    for (const root of Object.values(Bokeh.index || {})) walk(root);
    return out;
  };
  const glyph = (fig, type) => fig.renderers.find(r => r.glyph && r.glyph.type === type);
  const imageOf = (fig) => { const r = fig && glyph(fig, 'Image'), d = r && r.data_source.data;
                             return d && d.image && d.image.length ? d.image[0] : null; };
  const figs0 = figures();
  const job = {t0: null, models: null, before: MAPS.map(t => imageOf(figs0[t]))};
  w.job = job;
  document.addEventListener('keydown', () => { if (job.t0 === null) job.t0 = performance.now(); },
                            {once: true, capture: true});
  const near = (a, b) => b === null || (a !== undefined && Math.abs(a - b) <= tol);
  const arrived = () => {
    const figs = figures();
    return MAPS.every((t, i) => {
      const f = figs[t], r = f && glyph(f, 'Scatter');
      if (!r) return false;
      const d = r.data_source.data, xs = d[r.glyph.x.field], ys = d[r.glyph.y.field];
      if (!xs || !ys || !near(xs[0], V) || !near(ys[0], mu)) return false;
      return !images || imageOf(f) !== job.before[i];
    });
  };
  const changed = () => {
    if (w.job === job && job.t0 !== null && job.models === null && arrived()) job.models = performance.now() - job.t0;
  };
  const docs = Array.from(Bokeh.documents);
  for (const d of docs) d.on_change(changed, true);
  const poll = () => {
    if (w.job !== job) { for (const d of docs) d.remove_on_change(changed); return; }  // superseded
    if (job.t0 !== null && arrived()) {
      const now = performance.now() - job.t0;
      w.done.push([job.models === null ? now : job.models, now]);
      w.job = null;
      for (const d of docs) d.remove_on_change(changed);
      return;
    }
    setTimeout(poll, 10);
  };
  poll();
}""" % repr(list(MAP_TITLES))


def arm_update(page, V=None, mu_F=None, images=False, tol=1e-6):
    """Start timing the next key press in ``page``: done when every map shows the marker at (V, mu_F)
    (None: any) and, with ``images``, a new image.  Read the result with :func:`update_arrived`."""
    page.evaluate(WATCH_JS, [V, mu_F, bool(images), tol])


def update_arrived(page):
    """``(models, shown)``: seconds from the key press until every map's Bokeh models held the armed change,
    and until the page had also redrawn (see WATCH_JS); None while it has not arrived."""
    done = page.evaluate("() => window.__upd && window.__upd.job === null ? window.__upd.done.at(-1) : null")
    return None if done is None else (done[0] / 1000, done[1] / 1000)


def timed_step(page, name, key, V=None, mu_F=None, images=False, timeout=60.0):
    """Press ``key`` on the ``param-<name>`` slider handle; return :func:`update_arrived`'s (models, shown)."""
    arm_update(page, V, mu_F, images)
    page.locator(f".param-{name} .noUi-handle").press(key)
    return wait_until(lambda: update_arrived(page), timeout=timeout, interval=0.02,
                      message=f"the maps to show the {name} change (V={V}, mu_F={mu_F}, images={images})")
