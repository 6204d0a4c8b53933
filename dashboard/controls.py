"""The controls of a background run in the page: Run and Stop, a progress bar, a status line, and the offer
that a long run shows before it starts (:class:`dashboard.runs.BackgroundRun` does the work)."""
import threading

import panel as pn

from .runs import in_session

__all__ = ["LONG_RUN", "WRAP", "HIDE_ON", "run_controls"]


LONG_RUN = 10.0
"""Seconds beyond which a run shows its estimate and asks before it starts."""

WRAP = [":host pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }"]
"""A status line wraps within the page (a validity note names many biases)."""


HIDE_ON = ("realizations", "terms", "curve_revision")
"""Parameters of the main page's state whose change withdraws an offer (the estimate was for other settings)."""


def run_controls(dash, run, start, label, seconds=None, button=None, fewer=True, indeterminate=False, bound=None,
                 hide_on=HIDE_ON):
    """Run and Stop buttons, a progress bar and a status line for a background run.

    ``seconds(realizations=None)`` estimates the run (optional; it may take a second: it is called in a worker
    thread, the status line saying so): a run longer than :data:`LONG_RUN` does not start at the first click but
    shows its estimate, with a button that starts it anyway and (``fewer``) one that starts it with fewer
    trajectories per bias (at most :data:`LONG_RUN`).  ``bound`` (default: ``not fewer``; or a function of
    none saying it when asked): the estimate is an upper bound, shown as "up to about"; else "about".  With ``indeterminate`` the bar only shows that the run
    is going (for runs whose length is not known ahead, e.g. a fit); the status line still gives the run's
    messages.  ``dash`` holds ``message`` (where a refusal is shown) and, with ``fewer``, ``realizations``;
    a change of its parameters named in ``hide_on`` withdraws a shown offer.
    """
    bound = not fewer if bound is None else bound
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

    def estimate():
        """(total, fewer trajectories or None, their seconds) of the run (in a worker thread)."""
        total = seconds()
        if total <= LONG_RUN or not fewer_offer:
            return total, None, None
        n = max(dash.param.realizations.bounds[0], int(dash.realizations * LONG_RUN / total))
        return total, n, seconds(n)

    def decide(total, n_fewer, short_total):
        """Start the run, or show its estimate and ask (on the session's event loop)."""
        if total <= LONG_RUN:
            begin()
            return
        how = "up to about" if (bound() if callable(bound) else bound) else "about"
        if not fewer_offer:
            note.object = (f"**{label.capitalize()}** at these settings takes {how} {total:.0f} s (on this machine, "
                           f"at its present load). Start it?")
            anyway.label = f"Start ({how} {total:.0f} s)"
            short.visible = False
            offer.visible = True
            return
        n = dash.realizations
        fewer[0] = n_fewer
        note.object = (f"**{label.capitalize()}** at these settings takes about {total:.0f} s ({n} trajectories "
                       f"per bias). Start it, or start it with fewer trajectories: the error bars grow as "
                       f"1/√(trajectories).")
        anyway.label = f"Start (about {total:.0f} s)"
        short.label = (f"Start with {n_fewer} trajectories per bias (about {short_total:.0f} s; error bars "
                       f"{(n / n_fewer) ** 0.5:.1f} times larger)")
        short.visible = n_fewer < n
        offer.visible = True

    def on_go(_):
        if not seconds:
            begin()
            return
        offer.visible, go.disabled = False, True
        status.object = f"{label}: estimating how long it takes …"
        doc = pn.state.curdoc

        def work():
            try:
                result = estimate()
            except Exception as exc:  # noqa: BLE001 - shown in the page; the server keeps serving
                # bound now: exc is unset after the except block
                text = str(exc) if isinstance(exc, ValueError) else f"the estimate failed: {type(exc).__name__}: {exc}"
                in_session(doc, lambda: finish(None, text))
            else:
                in_session(doc, lambda: finish(result, ""))

        def finish(result, error):
            go.disabled, status.object = run.running, run.status
            if error:
                dash.message = error
            else:
                decide(*result)

        threading.Thread(target=work, daemon=True, name=f"estimate-{run.name}").start()

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
    watched = [name for name in hide_on if name in dash.param]
    if watched:
        dash.param.watch(lambda *_: setattr(offer, "visible", False), watched)
    return pn.Column(pn.Row(go, stop, bar), offer, status, sizing_mode="stretch_width")
