"""The controls of a background run in the page: Run and Stop, a progress bar, a status line, and the offer
that a long run shows before it starts (:class:`dashboard.runs.BackgroundRun` does the work)."""
import panel as pn

__all__ = ["LONG_RUN", "WRAP", "run_controls"]


LONG_RUN = 10.0
"""Seconds beyond which a run shows its estimate and asks before it starts."""

WRAP = [":host pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }"]
"""A status line wraps within the page (a validity note names many biases)."""


def run_controls(dash, run, start, label, seconds=None, button=None, fewer=True, indeterminate=False):
    """Run and Stop buttons, a progress bar and a status line for a background run.

    ``seconds(realizations=None)`` estimates the run (optional): a run longer than :data:`LONG_RUN` does not
    start at the first click but shows its estimate, with a button that starts it anyway and (``fewer``) one
    that starts it with fewer trajectories per bias (at most :data:`LONG_RUN`).  With ``fewer=False`` the
    estimate is an upper bound ("up to about") and only the button that starts it is offered.  With
    ``indeterminate`` the bar only shows that the run is going (for runs whose length is not known ahead, e.g.
    a fit); the status line still gives the run's messages.
    """
    go = pn.widgets.Button(label=button or f"Run {label}", color="primary", css_classes=[f"run-{run.name}"])
    stop = pn.widgets.Button(label="Stop", color="warning", disabled=True, css_classes=[f"stop-{run.name}"])
    bar = pn.indicators.Progress(value=0, max=100, width=300, css_classes=[f"progress-{run.name}"])
    status = pn.pane.Str("", css_classes=[f"status-{run.name}"], sizing_mode="stretch_width", stylesheets=WRAP)
    note = pn.pane.Markdown("", margin=(0, 10))
    anyway = pn.widgets.Button(color="warning", css_classes=[f"offer-{run.name}-start"])
    short = pn.widgets.Button(color="primary", css_classes=[f"offer-{run.name}-short"])
    offer = pn.Column(note, pn.Row(anyway, short), visible=False, css_classes=[f"offer-{run.name}"])

    def begin(realizations=None):
        offer.visible = False
        try:
            if realizations is not None:
                dash.realizations = realizations
            start()
        except ValueError as exc:
            dash.message = str(exc)

    fewer_offer, fewer = fewer, [None]  # the trajectories per bias offered by the short button

    def on_go(_):
        try:
            total = seconds() if seconds else 0.0
        except ValueError as exc:
            dash.message = str(exc)
            return
        if total <= LONG_RUN:
            begin()
            return
        if not fewer_offer:
            note.object = (f"**{label.capitalize()}** at these settings takes up to about {total:.0f} s "
                           f"(on this machine, at its present load). Start it?")
            anyway.label = f"Start (up to about {total:.0f} s)"
            short.visible = False
            offer.visible = True
            return
        n = dash.realizations
        fewer[0] = max(dash.param.realizations.bounds[0], int(n * LONG_RUN / total))
        note.object = (f"**{label.capitalize()}** at these settings takes about {total:.0f} s ({n} trajectories "
                       f"per bias). Start it, or start it with fewer trajectories: the error bars grow as "
                       f"1/√(trajectories).")
        anyway.label = f"Start (about {total:.0f} s)"
        short.label = (f"Start with {fewer[0]} trajectories per bias (about {seconds(fewer[0]):.0f} s; error bars "
                       f"{(n / fewer[0]) ** 0.5:.1f} times larger)")
        short.visible = fewer[0] < n
        offer.visible = True

    go.on_click(on_go)
    anyway.on_click(lambda _: begin())
    short.on_click(lambda _: begin(fewer[0]))
    stop.on_click(lambda _: run.stop())

    def sync(*_):
        with pn.io.hold():  # progress, status and buttons reach the page in one message
            bar.value = -1 if indeterminate and run.running else int(round(100 * run.progress))
            status.object = run.status
            go.disabled = run.running
            stop.disabled = not run.running

    run.param.watch(sync, ["progress", "status", "running"])
    dash.param.watch(lambda _: setattr(offer, "visible", False), ["realizations", "terms", "curve_revision"])
    return pn.Column(pn.Row(go, stop, bar), offer, status, sizing_mode="stretch_width")
