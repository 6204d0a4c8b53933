"""The dashboard: live coupling maps and spin dynamics of the dimer in the browser.

``dimer-dashboard`` (the console script, :func:`main`) and ``python app.py`` serve it on
http://localhost:5006/ (localhost only unless ``--address`` says otherwise); ``panel
serve app.py`` serves it at /app.  This module only lays out the parts of the
:mod:`dashboard` package; every number comes from :mod:`dimer_core`.  Each browser
session gets its own state.  Importing it serves nothing.
"""
import holoviews as hv
import panel as pn

from dashboard.about import about_panel
from dashboard.exports import export_panel
from dashboard.resources import local_resources, skip_unchanged_stylesheets
from dashboard.state import Dashboard
from dashboard.study_browser import study_page
from dashboard.views import Live, cuts, current, dimer, interactions, map_panel, omega, trajectory
from dashboard.widgets import parameter_cards

hv.extension("bokeh")
# Canvas, not WebGL: these plots are small (161 × 161 images, a few curves), and without a GPU (headless or
# remote browsers) WebGL is rendered in software and copied into every plot on every repaint, which made
# a slider step cost about a second in the browser (benchmarks/bench_ui.py).
hv.renderer("bokeh").webgl = False

TITLE = "Spin dimer: bias-controlled couplings (Leiva, Díaz & Núñez, PRB 107, 094401)"
SESSION_TOKEN_EXPIRATION = 1800
"""Seconds a page may take from its HTML to its websocket.  With Bokeh's 300 s, one of ten pages opened
at once on two busy cores stayed blank ("Token expired before websocket re-sign"; benchmarks/bench_load.py)."""


def message_alert(dash):
    alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width")

    def show(event):
        alert.object = event.new
        alert.visible = bool(event.new)

    dash.param.watch(show, "message")
    return alert


def run_controls(dash, run, start, label):
    """Run and Stop buttons, a progress bar and a status line for a background run."""
    go = pn.widgets.Button(label=f"Run {label}", color="primary", css_classes=[f"run-{run.name}"])
    stop = pn.widgets.Button(label="Stop", color="warning", disabled=True, css_classes=[f"stop-{run.name}"])
    bar = pn.indicators.Progress(value=0, max=100, width=300, css_classes=[f"progress-{run.name}"])
    status = pn.pane.Str("", css_classes=[f"status-{run.name}"])

    def on_go(_):
        try:
            start()
        except ValueError as exc:
            dash.message = str(exc)

    go.on_click(on_go)
    stop.on_click(lambda _: run.stop())

    def sync(*_):
        bar.value = int(round(100 * run.progress))
        status.object = run.status
        go.disabled = run.running
        stop.disabled = not run.running

    run.param.watch(sync, ["progress", "status", "running"])
    return pn.Row(go, stop, bar, status)


def dynamics_settings(dash):
    return pn.Row(
        pn.widgets.IntSlider.from_param(dash.param.realizations, name="trajectories per bias", width=220),
        pn.widgets.Select.from_param(dash.param.terms, name="terms", width=140),
        pn.widgets.IntInput.from_param(dash.param.seed, name="seed", width=120),
    )


def create_app():
    """A fresh dashboard (one per browser session)."""
    local_resources()  # stylesheets from this server, also when pages open at once
    dash = Dashboard()
    live = Live(dash)  # keeps every plot in step with the state by writing into its Bokeh models
    if pn.state.location:  # the URL restores every parameter and the chosen maps
        pn.state.location.sync(dash.p, {k: k for k in dash.p.param if k != "name"})
        pn.state.location.sync(dash, {"quantities": "maps", "guides": "guides"})
    choose = pn.widgets.MultiChoice.from_param(dash.param.quantities, name="Maps")
    guides = pn.widgets.Checkbox.from_param(dash.param.guides, name="guide lines |μ_L|, |μ_R| = resonances")

    @pn.depends(dash.param.quantities)
    def map_grid(quantities):
        return pn.GridBox(*[map_panel(live, k) for k in quantities], ncols=4)

    traj_button = pn.widgets.Button(label="Compute the reversal path at this V", color="primary",
                                    css_classes=["run-trajectory"])
    traj_button.on_click(lambda _: dash.compute_trajectory())
    noisy = pn.widgets.Checkbox.from_param(dash.param.path_noise, name="with thermal noise (T_eff)")
    tabs = pn.Tabs(
        ("Langevin", pn.Column(
            pn.pane.Markdown(
                "Integrates the anisotropic stochastic LLG at 25 biases at the current μ_F; the Ω points with "
                "their standard errors appear over the Fokker–Planck curves above. The page stays usable while "
                "it runs.\n\n"
                "**What the full model adds over Fokker–Planck.** Fokker–Planck assumes P(m) ∝ exp(−E/k_B T_eff) "
                "with the isotropic T_eff. The Langevin run also keeps (1) the self DMI-like torque "
                "(ΔS)²·χ₂₂^(DM)·m × (m × t̂), which no energy produces — under strong SOC it tilts the spin back "
                "toward m₁ (Ω_z ≈ 0.5 at |V| = 3–4 mV against ≈ 0.1); (2) the anisotropic damping and noise, "
                "which need not share one temperature; (3) the antisymmetric (W) damping. Choose *paper* terms "
                "to drop (1) and (3): the points then follow the curves. Biases where the slow-spin LLG breaks "
                "down (reversed precession, |T_eff| > 10⁴ K) are not integrated and named below "
                "(docs/stochastic.md)."),
            dynamics_settings(dash), run_controls(dash, dash.langevin, dash.start_langevin, "Langevin"))),
        ("Reversal path", pn.Column(pn.Row(traj_button, noisy), trajectory(dash))),
        ("Both spins free", pn.Column(dynamics_settings(dash),
                                      run_controls(dash, dash.dimer, dash.start_dimer, "both spins free"),
                                      dimer(dash))),
        ("Current", current(live)),
        ("Export", export_panel(dash)),
        ("About", about_panel()),
        dynamic=True,
    )
    template = pn.template.BootstrapTemplate(
        title=TITLE,
        sidebar=[pn.pane.Markdown("**Preset** (the paper's figures)"),
                 pn.widgets.RadioButtonGroup.from_param(dash.param.preset, color="primary"),
                 *parameter_cards(dash)],
        main=[message_alert(dash), pn.Row(choose, guides), map_grid, cuts(live),
              pn.Row(omega(live), interactions(live)), tabs],
        sidebar_width=340,
        header_background="#1f4e79",
    )
    template.dashboard = dash  # for tests
    return template


def attach(template):
    """Lay ``template`` out in the current session's Bokeh document; returns None, so Panel adds nothing more.

    Bokeh re-indexes every model of a document after each change made while a page is laid out; this page
    has ≈1300 models and was re-indexed 52 times, 0.2–0.4 s each (15 s of the 20 s a page took to arrive).
    With the index frozen during the layout it is built once: the page arrives ≈3× sooner.  The page also
    gets the BokehJS fix of :func:`~dashboard.resources.skip_unchanged_stylesheets`.
    """
    doc = pn.state.curdoc
    with doc.models.freeze():
        template.server_doc(doc)
    skip_unchanged_stylesheets(doc)


def session_page():
    """One session: a fresh dashboard laid out in its document (the page function given to Panel)."""
    attach(create_app())


def main(argv=None, prog="dimer-dashboard"):
    """``dimer-dashboard [--address A] [--port P] [--study DIR]``: serve on localhost:5006 unless told otherwise."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description="Serve the spin-dimer dashboard.")
    parser.add_argument("--address", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    parser.add_argument("--study", metavar="DIR", help="also serve the browser of a parameter study at /study")
    args = parser.parse_args(argv)
    if args.study:
        try:
            import dimer_core.study  # noqa: F401
        except ImportError as exc:
            parser.error(f"--study needs {exc.name}, which is not installed; "
                         f"install the studies extra: pip install 'dimer-core[studies]'")
    origins = [f"localhost:{args.port}", f"127.0.0.1:{args.port}", f"{args.address}:{args.port}"]
    pages = {"app": session_page, "/": session_page}
    print(f"dashboard at http://localhost:{args.port}/ (listening on {args.address})", flush=True)
    if args.study:
        pages["study"] = lambda: study_page(args.study)
        print(f"study {args.study} at http://localhost:{args.port}/study", flush=True)
    pn.serve(pages, port=args.port, address=args.address, websocket_origin=origins, show=False, title="Spin dimer",
             session_token_expiration=SESSION_TOKEN_EXPIRATION)

