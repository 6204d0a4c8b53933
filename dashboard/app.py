"""The dashboard: live coupling maps and spin dynamics of the dimer in the browser.

``dimer-dashboard`` (the console script, :func:`main`) and ``python app.py`` serve it on
http://localhost:5006/ (localhost only unless ``--address`` says otherwise); ``panel
serve app.py`` serves it at /app.  This module only lays out the parts of the
:mod:`dashboard` package; every number comes from :mod:`dimer_core`.  Each browser
session gets its own state.  Importing it serves nothing.
"""
import os

import holoviews as hv
import panel as pn
from bokeh.core.property.validation import validate

from dashboard import bokeh_speed
from dashboard.about import about_panel
from dashboard.controls import run_controls
from dashboard.exports import export_panel
from dashboard.fit_view import fit_tab
from dashboard.junction_page import session_page as junction_session
from dashboard.resources import local_resources, skip_unchanged_stylesheets
from dashboard.state import Dashboard
from dashboard.study_browser import study_page
from dashboard.live import Live
from dashboard.rates_view import rates_tab
from dashboard.plots import current_figures, cuts, interaction_figure, map_grid, omega_panel
from dashboard.tour import Tour, tour_panel
from dashboard.views import dimer, esr_tab, trajectory
from dashboard.widgets import checkbox, map_choice, parameter_cards

hv.extension("bokeh")
bokeh_speed.install()  # a page's serialization costs a sixth (dashboard/bokeh_speed.py)
# Canvas, not WebGL: these plots are small (161 × 161 images, a few curves), and without a GPU (headless or
# remote browsers) WebGL is rendered in software and copied into every plot on every repaint, which made
# a slider step cost about a second in the browser (benchmarks/bench_ui.py).
hv.renderer("bokeh").webgl = False

TITLE = "Spin dimer: bias-controlled couplings (Leiva, Díaz & Núñez, PRB 107, 094401)"
SESSION_TOKEN_EXPIRATION = 1800
"""Seconds a page may take from its HTML to its websocket.  With Bokeh's 300 s, one of ten pages opened
at once on two busy cores stayed blank ("Token expired before websocket re-sign"; benchmarks/bench_load.py)."""


MESSAGE_STYLES = {"position": "fixed", "top": "64px", "left": "50%", "transform": "translateX(-50%)",
                  "z-index": "1000", "box-shadow": "0 4px 14px rgba(0, 0, 0, 0.3)"}
"""The message floats over the top of the window: in view wherever the page is scrolled, and the page under it
does not move when it comes or goes."""


def message_alert(dash):
    alert = pn.pane.Alert("", alert_type="danger", visible=False, width=760, styles=MESSAGE_STYLES)

    def show(event):
        alert.object = event.new
        alert.visible = bool(event.new)

    dash.param.watch(show, "message")
    return alert


def dynamics_settings(dash):
    return pn.Row(
        pn.widgets.IntSlider.from_param(dash.param.realizations, name="trajectories per bias", width=220),
        pn.widgets.Select.from_param(dash.param.terms, name="terms", width=140),
        pn.widgets.IntInput.from_param(dash.param.seed, name="seed", width=120),
    )


def lazy(build):
    """A tab's content, built when the tab is first shown (with ``Tabs(dynamic=True)``, only then drawn)."""
    return pn.param.ParamFunction(build, lazy=True)


def create_app():
    """A fresh dashboard (one per browser session)."""
    local_resources()  # stylesheets from this server, also when pages open at once
    dash = Dashboard()
    live = Live(dash)  # keeps every plot in step with the state by writing into its Bokeh models
    tour = Tour(dash)
    if pn.state.location:  # the URL restores every parameter and the chosen maps, or a view of the tour
        pn.state.location.sync(dash.p, {k: k for k in dash.p.param if k != "name"})
        pn.state.location.sync(dash, {"quantities": "maps", "guides": "guides"})
        pn.state.location.sync(tour, {"step": "tour"})
    choose = map_choice(dash)
    guides = checkbox(dash, "guides", "guide lines |μ_L|, |μ_R| = resonances")

    maps = pn.bind(lambda quantities: map_grid(live, quantities), dash.param.quantities)
    cut_plots = pn.bind(lambda quantities: cuts(live, quantities), dash.param.quantities)

    # the first tab is built with the page, the others when first opened: About (two texts) costs a new page
    # ≈5 ms, the Langevin tab's controls ≈35 ms (of ≈0.45 s)
    tabs = pn.Tabs(
        ("About", lazy(about_panel)),
        ("Langevin", lazy(lambda: pn.Column(
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
            dynamics_settings(dash),
            run_controls(dash, dash.langevin, dash.start_langevin, "Langevin", dash.langevin_seconds)))),
        ("Reversal path", lazy(lambda: pn.Column(
            checkbox(dash, "path_noise", "with thermal noise (T_eff)"),
            run_controls(dash, dash.path, dash.start_path, "reversal path", button="Compute the reversal path at this V"),
            trajectory(dash)))),
        ("Both spins free", lazy(lambda: pn.Column(
            dynamics_settings(dash),
            run_controls(dash, dash.dimer, dash.start_dimer, "both spins free", dash.dimer_seconds),
            dimer(dash)))),
        ("ESR lines", lazy(lambda: esr_tab(dash))),
        ("Switching rates", lazy(lambda: rates_tab(dash))),
        ("Fit", lazy(lambda: fit_tab(dash))),
        ("Current", lazy(lambda: current_figures(live))),
        ("Export", lazy(lambda: export_panel(dash))),
        dynamic=True,
    )
    template = pn.template.BootstrapTemplate(
        title=TITLE,
        sidebar=[pn.pane.Markdown("**Preset** (the paper's figures)"),
                 pn.widgets.RadioButtonGroup.from_param(dash.param.preset, color="primary"),
                 *parameter_cards(dash)],
        main=[message_alert(dash), tour_panel(tour), pn.Row(choose, guides), maps, cut_plots,
              pn.Row(omega_panel(live), pn.pane.Bokeh(interaction_figure(live))), tabs],
        sidebar_width=340,
        header_background="#1f4e79",
    )
    template.dashboard, template.tour = dash, tour  # for tests
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
    """One session: a fresh dashboard laid out in its document (the page function given to Panel).

    Bokeh's property validation is off while the page is built (Bokeh's ``validate(False)``; ≈0.06 s of the
    ≈0.6 s a page cost): every value set here comes from this package's code and its checked state, and the
    page is the same as with validation (``tests/test_dashboard_live.py``).  Values that arrive later, from
    the browser or from callbacks, are validated as usual."""
    with validate(False):
        attach(create_app())


def main(argv=None, prog="dimer-dashboard"):
    """``dimer-dashboard [--address A] [--port P] [--procs N] [--study DIR]``: serve on localhost:5006 unless told
    otherwise, with the junction page (:mod:`dashboard.junction_page`) at /junction; ``--procs`` forks N server
    processes that share the port (for a lecture hall on several cores: each new page costs about 0.5 s of one
    core, ``benchmarks/bench_load.py --open``)."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description="Serve the spin-dimer dashboard.")
    parser.add_argument("--address", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    parser.add_argument("--procs", type=int, default=1, metavar="N",
                        help="server processes sharing the port (default 1; pages are spread over them)")
    parser.add_argument("--study", metavar="DIR", help="also serve the browser of a parameter study at /study")
    args = parser.parse_args(argv)
    if not 1 <= args.procs <= (os.cpu_count() or 1):
        parser.error(f"--procs must be between 1 and the number of cores ({os.cpu_count()}), not {args.procs}")
    if args.study:
        try:
            import dimer_core.studies.run  # noqa: F401
        except ImportError as exc:
            parser.error(f"--study needs {exc.name}, which is not installed; "
                         f"install the studies extra: pip install 'dimer-core[studies]'")
    origins = [f"localhost:{args.port}", f"127.0.0.1:{args.port}", f"{args.address}:{args.port}"]
    pages = {"app": session_page, "/": session_page, "junction": junction_session}
    print(f"dashboard at http://localhost:{args.port}/ (listening on {args.address}); any junction at "
          f"http://localhost:{args.port}/junction", flush=True)
    if args.study:
        pages["study"] = lambda: study_page(args.study)
        print(f"study {args.study} at http://localhost:{args.port}/study", flush=True)
    pn.serve(pages, port=args.port, address=args.address, websocket_origin=origins, show=False, title="Spin dimer",
             session_token_expiration=SESSION_TOKEN_EXPIRATION, num_procs=args.procs)

