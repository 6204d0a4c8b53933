"""The dashboard: live coupling maps and mean spin orientation of the dimer.

Serve with ``panel serve app.py`` (or run ``python app.py``).  Layout, widgets and
plotting only: every number comes from :mod:`dimer_core`.  Each browser session
gets its own :class:`Dashboard`; the energy tables behind the maps are shared
through dimer_core's bounded cache.
"""
import numpy as np
import panel as pn
import param

import holoviews as hv
from dimer_core import PRESETS, QUANTITIES, DimerParams, maps, preset
from dimer_core.couplings import guide_levels
from dimer_core.params import VECTORS, bounds_text
from dimer_core.sweeps import fp_sweep

hv.extension("bokeh")

MAP_MU_F = np.linspace(-6.0, 6.0, 161)
MAP_V = np.linspace(-12.0, 12.0, 161)
SWEEP_V = np.linspace(-6.0, 6.0, 97)
DEFAULT_MAPS = ["J_2", "D_2", "a_i_22", "j_i_22", "A_2", "K_2", "a_an_22", "j_an_22"]
GROUPS = {
    "Device": ["t", "t0", "tL", "tR"],
    "Bias": ["mu_F", "V"],
    "Bath and spins": ["T", "Delta", "S"],
    "Sites and leads": ["eps1", "eps2", "te"],
    "Directions": ["that", "m1"],
    "Bare energy of a spin": ["h", "K_easy", "e_easy", "K_hard", "n_hard"],
}
LIVE = ("mu_F", "V")
"""Sliders that update while dragging (cheap); the others update on release."""


def _unit(name):
    return DimerParams.param[name].doc.rsplit("[", 1)[-1].rstrip("]")


class Dashboard(param.Parameterized):
    """The state of one browser session and the views built on it."""

    preset = param.Selector(default="weak-soc", objects=list(PRESETS), doc="Parameter set of the paper")
    symmetric = param.Boolean(default=True, doc="Keep tR equal to tL (symmetric leads)")
    quantities = param.ListSelector(default=DEFAULT_MAPS, objects=list(QUANTITIES), doc="Maps to show")
    guides = param.Boolean(default=True, doc="Show the lines |mu_L|, |mu_R| = resonance energies")
    message = param.String(default="", doc="Last error, shown in the page")
    revision = param.Integer(default=0, doc="Bumped when the physics parameters change")

    def __init__(self, **params):
        super().__init__(**params)
        self.p = preset(self.preset)
        self.p.param.watch(self._physics_changed, [k for k in self.p.param if k != "name"])
        self._maps = None

    # ----- state -----
    @param.depends("preset", watch=True)
    def _apply_preset(self):
        try:
            self.p.param.update(**{k: v for k, v in PRESETS[self.preset].items()})
        except ValueError as exc:
            self.message = str(exc)

    def _physics_changed(self, events):
        names = {e.name for e in events}
        if self.symmetric and "tL" in names and self.p.tR != self.p.tL:
            self.p.tR = self.p.tL
            return
        if names - set(LIVE):
            self._maps = None
        self.revision += 1

    def set_value(self, name, value):
        """Set a parameter from the page; a bad value becomes a message, not an exception."""
        try:
            setattr(self.p, name, value)
            self.p.check()
            self.message = ""
        except ValueError as exc:
            self.message = str(exc)

    def dataset(self):
        """The current maps (recomputed only when a parameter other than mu_F, V changes)."""
        if self._maps is None:
            self.p.check()
            self._maps = maps(self.p, MAP_MU_F, MAP_V)
        return self._maps

    # ----- views -----
    def _safe(self, build, empty):
        try:
            out = build()
            if self.message.startswith("computation failed"):
                self.message = ""
            return out
        except ValueError as exc:
            self.message = f"computation failed: {exc}"
        except Exception as exc:  # keep serving: show the error in the page
            self.message = f"computation failed ({type(exc).__name__}): {exc}"
        return empty

    def map_image(self, key, revision):
        def build():
            ds = self.dataset()
            z = ds[key].values
            lim = float(np.nanmax(np.abs(z))) or 1.0
            unit = QUANTITIES[key][0]
            img = hv.Image((MAP_V, MAP_MU_F, z), kdims=["V", "mu_F"], vdims=[hv.Dimension(key, unit=unit)])
            return img.opts(clim=(-lim, lim), xlim=(MAP_V[0], MAP_V[-1]), ylim=(MAP_MU_F[0], MAP_MU_F[-1]))
        return self._safe(build, hv.Image((MAP_V, MAP_MU_F, np.zeros((MAP_MU_F.size, MAP_V.size))),
                                          kdims=["V", "mu_F"], vdims=[key]))

    def guide_paths(self, revision, guides):
        def build():
            if not guides:
                return hv.Path([])
            lines = []
            for level in guide_levels(self.p):
                for sign in (-1.0, 1.0):
                    mu = level + sign * MAP_V / 2
                    inside = (mu >= MAP_MU_F[0]) & (mu <= MAP_MU_F[-1])
                    lines.append(np.column_stack([MAP_V[inside], mu[inside]]))
            return hv.Path(lines, kdims=["V", "mu_F"])
        return self._safe(build, hv.Path([]))

    def marker(self, revision):
        return hv.Points([(self.p.V, self.p.mu_F)], kdims=["V", "mu_F"])

    def cut_along_V(self, revision, quantities):
        def build():
            ds, full = maps(self.p, [self.p.mu_F], MAP_V), self.dataset()
            curves = [hv.Curve((MAP_V, ds[k].values[0] / _norm(full[k].values)), "V", "scaled value", label=k)
                      for k in quantities]
            return hv.Overlay(curves + [hv.VLine(self.p.V)])
        return self._safe(build, hv.Overlay([hv.Curve([])]))

    def cut_along_mu(self, revision, quantities):
        def build():
            ds, full = maps(self.p, MAP_MU_F, [self.p.V]), self.dataset()
            curves = [hv.Curve((MAP_MU_F, ds[k].values[:, 0] / _norm(full[k].values)), "mu_F", "scaled value",
                               label=k) for k in quantities]
            return hv.Overlay(curves + [hv.VLine(self.p.mu_F)])
        return self._safe(build, hv.Overlay([hv.Curve([])]))

    def omega_curves(self, revision):
        def build():
            ds = self._sweep()
            curves = [hv.Curve((SWEEP_V, ds[f"Omega_{x}"].values), "V", "Omega", label=f"Omega_{x}").opts(color=c)
                      for x, c in zip("xyz", ("#1f77b4", "#ff7f0e", "#2ca02c"))]
            return hv.Overlay(curves + [hv.VLine(self.p.V)])
        return self._safe(build, hv.Overlay([hv.Curve([])]))

    def interaction_curves(self, revision):
        def build():
            ds = self._sweep()
            names = {"E_J": "Δ²J_2", "E_D": "Δ²D_2", "E_A": "Δ²A_2", "E_K": "Δ²K_2",
                     "E_DMself": "(ΔS)²χ22_DM", "kT_eff": "k_B T_eff"}
            curves = [hv.Curve((SWEEP_V, ds[k].values), "V", hv.Dimension("energy", unit="meV"), label=lab)
                      for k, lab in names.items()]
            return hv.Overlay(curves + [hv.VLine(self.p.V)])
        return self._safe(build, hv.Overlay([hv.Curve([])]))

    def _sweep(self):
        key = (self.p.electronic_key(), self.p.mu_F, self.p.T, self.p.S, self.p.Delta,
               tuple(tuple(getattr(self.p, k)) for k in VECTORS), self.p.K_easy, self.p.K_hard)
        if getattr(self, "_sweep_key", None) != key:
            self.p.check()
            self._sweep_data = fp_sweep(self.p.updated(V=0.0), SWEEP_V)
            self._sweep_key = key
        return self._sweep_data

    def on_tap(self, x=None, y=None):
        """Clicking a map moves (V, mu_F) there (clamped to the bounds)."""
        if x is None or y is None:
            return
        v = float(np.clip(x, *DimerParams.param["V"].bounds))
        mu = float(np.clip(y, *DimerParams.param["mu_F"].bounds))
        self.p.param.update(V=round(v, 3), mu_F=round(mu, 3))


def _norm(values):
    m = float(np.nanmax(np.abs(values)))
    return m if m > 0 else 1.0


def number_widget(dash, name):
    p = DimerParams.param[name]
    lo, hi = p.bounds
    step = (hi - lo) / 1000.0
    widget = pn.widgets.EditableFloatSlider(name=f"{name} ({_unit(name)})", start=lo, end=hi, step=step,
                                            value=getattr(dash.p, name), sizing_mode="stretch_width",
                                            css_classes=[f"param-{name}"])
    event = "value" if name in LIVE else "value_throttled"

    def push(event_):
        if event_.new is not None and getattr(dash.p, name) != event_.new:
            dash.set_value(name, event_.new)
            if getattr(dash.p, name) != event_.new:  # refused: show the valid value again
                widget.value = getattr(dash.p, name)

    widget.param.watch(push, event)
    dash.p.param.watch(lambda e: setattr(widget, "value", e.new), name)
    tip = pn.widgets.TooltipIcon(value=f"{p.doc}; {bounds_text(name)}", width=20)
    return pn.Row(widget, tip, sizing_mode="stretch_width")


def vector_widget(dash, name):
    p = DimerParams.param[name]
    widget = pn.widgets.TextInput(name=f"{name} ({_unit(name)})", value=_vec_text(getattr(dash.p, name)),
                                  description=f"{p.doc}; {bounds_text(name)}; three numbers, e.g. 1,0,0",
                                  sizing_mode="stretch_width", css_classes=[f"param-{name}"])

    def push(event):
        try:
            value = tuple(float(x) for x in event.new.replace("(", "").replace(")", "").split(","))
        except ValueError:
            dash.message = f"{name} = {event.new!r} is not a 3-vector; {bounds_text(name)}"
            return
        dash.set_value(name, value)

    widget.param.watch(push, "value")
    dash.p.param.watch(lambda e: setattr(widget, "value", _vec_text(e.new)), name)
    return widget


def _vec_text(v):
    return ",".join(f"{x:.4g}" for x in v)


def parameter_widgets(dash):
    """Widgets generated from DimerParams, grouped in collapsible cards."""
    cards = []
    for title, names in GROUPS.items():
        items = [vector_widget(dash, n) if n in VECTORS else number_widget(dash, n) for n in names]
        if title == "Device":
            items.insert(4, pn.widgets.Checkbox.from_param(dash.param.symmetric, name="symmetric leads (tR = tL)"))
        collapsed = title not in ("Device", "Bias")
        cards.append(pn.Card(*items, title=title, collapsed=collapsed, sizing_mode="stretch_width"))
    return cards


def map_panel(dash, key):
    image = hv.DynamicMap(pn.bind(dash.map_image, key, dash.param.revision))
    guides = hv.DynamicMap(pn.bind(dash.guide_paths, dash.param.revision, dash.param.guides))
    marker = hv.DynamicMap(pn.bind(dash.marker, dash.param.revision))
    tap = hv.streams.Tap(source=image, x=None, y=None)
    tap.add_subscriber(lambda x, y: dash.on_tap(x, y))
    unit = QUANTITIES[key][0]
    image = image.opts(cmap="RdBu_r", colorbar=True, symmetric=True, framewise=True, tools=["hover", "tap"],
                       clabel=f"{key} ({unit})", xlabel="V (mV)", ylabel="mu_F (meV)", title=key,
                       width=300, height=250, toolbar="above")
    return (image * guides.opts(color="black", line_dash="dotted", line_width=0.8, alpha=0.6)
            * marker.opts(color="lime", size=9, marker="x", line_width=3))


def create_app():
    """A fresh dashboard (one per browser session)."""
    dash = Dashboard()
    if pn.state.location:  # the URL restores every parameter and the chosen maps
        pn.state.location.sync(dash.p, {k: k for k in dash.p.param if k != "name"})
        pn.state.location.sync(dash, {"quantities": "maps", "guides": "guides"})
    alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width")

    def show_message(event):
        alert.object = event.new
        alert.visible = bool(event.new)

    dash.param.watch(show_message, "message")
    preset_widget = pn.widgets.RadioButtonGroup.from_param(dash.param.preset, button_type="primary")
    choose = pn.widgets.MultiChoice.from_param(dash.param.quantities, name="Maps")
    guides = pn.widgets.Checkbox.from_param(dash.param.guides, name="guide lines |mu_L|, |mu_R| = resonances")

    @pn.depends(dash.param.quantities)
    def map_grid(quantities):
        return pn.GridBox(*[map_panel(dash, k) for k in quantities], ncols=4)

    cuts = pn.Row(
        hv.DynamicMap(pn.bind(dash.cut_along_V, dash.param.revision, dash.param.quantities)).opts(
            width=520, height=260, title="cuts against V at the current mu_F (each scaled to its map maximum)",
            legend_position="right", framewise=True),
        hv.DynamicMap(pn.bind(dash.cut_along_mu, dash.param.revision, dash.param.quantities)).opts(
            width=520, height=260, title="cuts against mu_F at the current V", legend_position="right",
            framewise=True),
    )
    omega = pn.Row(
        hv.DynamicMap(pn.bind(dash.omega_curves, dash.param.revision)).opts(
            width=520, height=280, ylim=(-1.05, 1.05), title="mean orientation Omega (Fokker–Planck) at mu_F",
            legend_position="right", xlabel="V (mV)", shared_axes=False),
        hv.DynamicMap(pn.bind(dash.interaction_curves, dash.param.revision)).opts(
            width=520, height=280, title="interaction comparison (Fig. 4, bottom)", legend_position="right",
            framewise=True, xlabel="V (mV)", shared_axes=False),
    )
    template = pn.template.BootstrapTemplate(
        title="Spin dimer: bias-controlled couplings (Leiva, Díaz & Núñez, PRB 107, 094401)",
        sidebar=[pn.pane.Markdown("**Preset** (the paper's figures)"), preset_widget, *parameter_widgets(dash)],
        main=[alert, pn.Row(choose, guides), map_grid, cuts, omega],
        sidebar_width=340,
        header_background="#1f4e79",
    )
    template.dashboard = dash  # for tests
    return template


if pn.state.served:
    create_app().servable()

def main(argv=None):
    """``python app.py [--address A] [--port P]``: serve on localhost:5006 unless told otherwise."""
    import argparse

    parser = argparse.ArgumentParser(description="Serve the spin-dimer dashboard.")
    parser.add_argument("--address", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    args = parser.parse_args(argv)
    origins = [f"localhost:{args.port}", f"127.0.0.1:{args.port}", f"{args.address}:{args.port}"]
    print(f"dashboard at http://localhost:{args.port}/ (listening on {args.address})", flush=True)
    pn.serve({"app": create_app, "/": create_app}, port=args.port, address=args.address, websocket_origin=origins,
             show=False, title="Spin dimer")


if __name__ == "__main__":
    main()
