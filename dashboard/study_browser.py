"""Browse a finished parameter study (:mod:`dimer_core.studies.run`) with sliders over its own axes.

``dimer-dashboard --study DIR`` (or ``python app.py --study DIR``) serves this page at /study beside the dashboard.
Maps studies show the chosen quantity over mu_F × V; fp and langevin studies
show it against V (with standard errors for Langevin), and against the first
study axis at the chosen V.  Blocks not computed yet read as NaN and show blank.
"""
import json

import holoviews as hv
import numpy as np
import panel as pn
import param

from .live import scale


class StudyBrowser(param.Parameterized):
    """One session's view of a study: the chosen quantity and a position on every study axis."""

    quantity = param.Selector(objects=[], doc="the quantity shown")
    V_index = param.Integer(0, bounds=(0, None), doc="the bias of the curve against the first study axis")
    revision = param.Integer(0, doc="bumped when the position on a study axis changes")

    def __init__(self, folder, **params):
        super().__init__(**params)
        from dimer_core.studies.run import open_study  # here: the dashboard itself runs without the studies extra

        self.ds = open_study(folder)
        self.spec = json.loads(self.ds.attrs["study_spec"])
        self.method = self.ds.attrs["method"]
        self.axes = list(self.spec["axes"])
        self.index = {axis: 0 for axis in self.axes}
        names = list(self.ds.data_vars)
        shown = [q for q in names if not q.endswith("_err")]
        self.param.quantity.objects = shown
        self.quantity = shown[0]
        self.param.V_index.bounds = (0, self.ds.sizes["V"] - 1)
        self.V_index = self.ds.sizes["V"] // 2

    def set_index(self, axis, i):
        self.index[axis] = int(i)
        self.revision += 1

    def where(self):
        """The current position on the study axes, as text with units."""
        return ", ".join(f"{a} = {self.label(a, self.index[a])}" for a in self.axes) or "(no study axes)"

    def label(self, axis, i):
        if f"{axis}_vector" in self.ds.coords:
            return "(" + ", ".join(f"{x:.3g}" for x in self.ds[f"{axis}_vector"].values[i]) + ")"
        unit = self.ds[axis].attrs.get("units", "")
        return f"{float(self.ds[axis].values[i]):g}" + ("" if unit in ("", "1", "unit vector") else f" {unit}")

    def selection(self, name, drop=()):
        """The values of ``name`` at the current position (NumPy, study axes in ``drop`` kept)."""
        return self.ds[name].isel({a: i for a, i in self.index.items() if a not in drop}).values

    def units(self, name):
        return self.ds[name].attrs.get("units", "")


def axis_sliders(browser):
    """A discrete slider per study axis, labelled with its values and units."""
    sliders = []
    for axis in browser.axes:
        n = browser.ds.sizes[axis]
        options = {browser.label(axis, i): i for i in range(n)}
        s = pn.widgets.DiscreteSlider(label=axis, options=options, value=0, width=300,
                                      css_classes=[f"study-axis-{axis}"])
        s.param.watch(lambda event, a=axis: browser.set_index(a, event.new), "value")
        sliders.append(s)
    return sliders


def main_plot(browser):
    """The chosen quantity at the current position: a map (maps) or a curve against V."""
    def build(quantity, revision):
        unit = browser.units(quantity)
        title = f"{quantity} at {browser.where()}"
        z = browser.selection(quantity)
        if browser.method == "maps":
            lim = scale(z) if np.isfinite(z).any() else 1.0
            img = hv.Image((browser.ds.V.values, browser.ds.mu_F.values, z), kdims=["V", "mu_F"],
                           vdims=[hv.Dimension(quantity, unit=unit)])
            return img.opts(cmap="RdBu_r", colorbar=True, clim=(-lim, lim), clabel=f"{quantity} ({unit})",
                            xlabel="V (mV)", ylabel="mu_F (meV)", title=title, width=620, height=480,
                            tools=["hover"], toolbar="above")
        v = browser.ds.V.values
        curve = hv.Curve((v, z), "V", hv.Dimension(quantity, unit=unit)).opts(color="#1f77b4")
        err = f"{quantity}_err"
        if err in browser.ds.data_vars:
            curve = curve * hv.ErrorBars((v, z, browser.selection(err)), "V", [quantity, "err"])
        return curve.opts(hv.opts.Curve(title=title, xlabel="V (mV)", ylabel=f"{quantity} ({unit})", width=620,
                                        height=380, tools=["hover"], show_grid=True))
    return hv.DynamicMap(pn.bind(build, browser.param.quantity, browser.param.revision)).opts(framewise=True)


def axis_plot(browser):
    """The chosen quantity against the first study axis, at the chosen V (and mu_F = 0 for maps)."""
    first = browser.axes[0]

    def build(quantity, revision, v_index):
        z = browser.selection(quantity, drop=(first,))
        z = z.take(v_index, axis=-1)
        where = f"V = {browser.ds.V.values[v_index]:g} mV"
        if browser.method == "maps":
            mu = int(np.argmin(np.abs(browser.ds.mu_F.values)))
            z = z.take(mu, axis=-1)
            where += f", mu_F = {browser.ds.mu_F.values[mu]:g} meV"
        x = browser.ds[first].values
        unit = browser.units(quantity)
        here = hv.VLine(float(x[browser.index[first]])).opts(color="lime", line_width=2)
        curve = hv.Curve((x, z), first, hv.Dimension(quantity, unit=unit)) * hv.Scatter((x, z), first, quantity) * here
        return curve.opts(hv.opts.Curve(title=f"{quantity} against {first} at {where}",
                                        xlabel=f"{first} ({browser.units(first)})", ylabel=f"{quantity} ({unit})",
                                        width=620, height=300, show_grid=True),
                          hv.opts.Scatter(size=6))
    return hv.DynamicMap(pn.bind(build, browser.param.quantity, browser.param.revision,
                                 browser.param.V_index)).opts(framewise=True)


def study_page(folder):
    """The study browser page for folder ``folder`` (a template; an error message if it cannot be read)."""
    try:
        browser = StudyBrowser(folder)
    except (OSError, ValueError, KeyError) as exc:
        return pn.template.BootstrapTemplate(
            title="Parameter study", main=[pn.pane.Alert(f"cannot open the study {folder!r}: {exc}",
                                                         alert_type="danger")])
    ds = browser.ds
    done, total = ds.attrs["blocks_done"], ds.attrs["blocks_total"]
    summary = (f"**{browser.method}** study in `{folder}`: {done}/{total} blocks computed"
               f"{'' if done == total else ' (the rest shows blank)'}; "
               f"axes {', '.join(f'{a} ({ds.sizes[a]})' for a in browser.axes) or 'none'}; "
               f"dimer_core {ds.attrs.get('dimer_core_version', '?')}.")
    v_slider = pn.widgets.DiscreteSlider(label="V of the curve against the first axis",
                                         options={f"{v:g} mV": i for i, v in enumerate(ds.V.values)},
                                         value=browser.V_index, width=300, css_classes=["study-V"])
    v_slider.link(browser, value="V_index")
    controls = [pn.widgets.Select.from_param(browser.param.quantity, label="quantity", width=300),
                *axis_sliders(browser)]
    main = [pn.pane.Markdown(summary), main_plot(browser)]
    if browser.axes:
        controls.append(v_slider)
        main.append(axis_plot(browser))
    template = pn.template.BootstrapTemplate(title="Parameter study", sidebar=controls, main=main,
                                             sidebar_width=340, header_background="#1f4e79")
    template.browser = browser  # for tests
    return template
