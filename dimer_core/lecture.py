"""The lecture edition: one self-contained HTML page per parameter set, moved by sliders without Python.

:func:`lecture_html` computes a few named couplings over a (mu_F, V) grid (:func:`dimer_core.maps`) and the
Fokker–Planck mean orientation Omega(V) at each mu_F of a coarse grid (:func:`dimer_core.studies.sweeps.fp_sweep`),
embeds them as float32 arrays in a standalone Bokeh document (BokehJS inlined: no network), and lets two sliders
(mu_F, V) move the marker, the cuts and the Omega curves through CustomJS (docs/lecture.md, "What the page holds").

LECTURE_QUANTITIES   the quantities shown as maps, with their symbols
GRID_MU_F, GRID_V    the default grid of the maps (meV, mV): 121 × 121
OMEGA_MU_F           the default coarse mu_F grid of the Omega curves (meV)
lecture_html         the page, as a string
lecture_data         the arrays the page embeds, as an xarray.Dataset (maps and Omega)
"""
import numpy as np
import xarray as xr

from .couplings.dimer import QUANTITIES, maps
from .studies.sweeps import fp_sweep

LECTURE_QUANTITIES = {
    "J_2": "J₂", "D_2": "D₂", "K_2": "K₂", "a_i_22": "α⁽ⁱ⁾₂₂", "T_eff_2": "T_eff",
}
"""Quantities of the maps → their symbols (paper Eqs. 4–6; docs/physics.md, "Named couplings (site 2; site 1 by
1 ↔ 2)"). Each is signed: J_2, D_2, K_2 change sign with bias, a_i_22 and T_eff_2 < 0 mean energy injection."""

GRID_MU_F = np.linspace(-6.0, 6.0, 121)
"""Default mu_F axis of the maps (meV)."""
GRID_V = np.linspace(-12.0, 12.0, 121)
"""Default V axis of the maps and of the Omega curves (mV)."""
OMEGA_MU_F = np.linspace(-6.0, 6.0, 13)
"""Default coarse mu_F grid (meV) at which Omega(V) is precomputed; the page shows the nearest one."""

COLOUR_PERCENTILE = {"T_eff_2": 80.0}
"""A map's colour scale spans ± this percentile of |value| (NaN ignored), centred at zero: 99 unless given here.
T_eff_2 is a few K over most of the map and thousands of K near the lines where the damping vanishes."""

TITLE_PARAMS = (("t", "meV"), ("t0", "meV"), ("tL", "meV"), ("tR", "meV"), ("T", "K"), ("S", ""), ("Delta", "meV"))
"""Parameters (with units) the page's title states."""

_OMEGA_KEYS = ("Omega_x", "Omega_y", "Omega_z")
_OMEGA_COLOURS = ("#0072B2", "#D55E00", "#009E73")


def _axis(name, values, lo, hi, fewest=2):
    values = np.asarray(values, dtype=float).reshape(-1) if np.ndim(values) == 0 else np.asarray(values, dtype=float)
    if (values.ndim != 1 or values.size < fewest or not np.all(np.isfinite(values))
            or np.any(np.diff(values) <= 0)):
        raise ValueError(f"{name} must be an increasing 1-D grid of at least {fewest} finite values")
    if values.size > 1 and not np.allclose(np.diff(values), values[1] - values[0], rtol=1e-6, atol=0.0):
        raise ValueError(f"{name} must be evenly spaced (a slider steps through it)")
    if values[0] < lo or values[-1] > hi:
        raise ValueError(f"{name} must lie within {lo:g} <= {name} <= {hi:g}")
    return values


def lecture_data(params, mu_F=GRID_MU_F, V=GRID_V, omega_mu_F=OMEGA_MU_F):
    """The arrays of the page: the maps of :data:`LECTURE_QUANTITIES` and Omega(V) on the coarse mu_F grid.

    Parameters
    ----------
    params : DimerParams
        Everything but mu_F and V.
    mu_F, V : array_like
        Evenly spaced, increasing grids of the maps (meV, mV); V is also the grid of the Omega curves.
    omega_mu_F : array_like or float
        Evenly spaced, increasing coarse grid (meV) of the Omega curves within the range of ``mu_F``, or one
        value (e.g. the preset's mu_F: Omega at that mu_F only).

    Returns
    -------
    xarray.Dataset
        The maps on ``(mu_F, V)`` and ``Omega_x, Omega_y, Omega_z`` on ``(omega_mu_F, V)``, all float32 as
        embedded; the parameters in ``attrs`` (from :func:`dimer_core.maps`).
    """
    mu_F = _axis("mu_F", mu_F, -50.0, 50.0)
    V = _axis("V", V, -100.0, 100.0)
    omega_mu_F = _axis("omega_mu_F", omega_mu_F, mu_F[0], mu_F[-1], fewest=1)
    full = maps(params, mu_F, V)
    ds = full[list(LECTURE_QUANTITIES)].astype(np.float32)
    omega = {k: np.empty((omega_mu_F.size, V.size), dtype=np.float32) for k in _OMEGA_KEYS}
    for i, m in enumerate(omega_mu_F):
        sweep = fp_sweep(params.updated(mu_F=float(m)), V)
        for k in _OMEGA_KEYS:
            omega[k][i] = sweep[k].values
    for k in _OMEGA_KEYS:
        ds[k] = xr.DataArray(omega[k], dims=("omega_mu_F", "V"), attrs={"units": "1", "method": "fokker-planck"})
    ds = ds.assign_coords(omega_mu_F=("omega_mu_F", omega_mu_F, {"units": "meV"}))
    ds.attrs.update(full.attrs)
    return ds


def _colour_percentile(key):
    return COLOUR_PERCENTILE.get(key, 99.0)


def _colour_half_width(key, values):
    finite = np.abs(values[np.isfinite(values)])
    half = float(np.percentile(finite, _colour_percentile(key))) if finite.size else 0.0
    return half if half > 0.0 else 1.0


def _title(params, label):
    from . import __version__

    shown = ", ".join(f"{k} = {getattr(params, k):g}{' ' + unit if unit else ''}" for k, unit in TITLE_PARAMS)
    return (f"{label}: {shown} — lecture edition of Leiva, Díaz & Núñez, PRB 107, 094401 (2023), "
            f"dimer_core {__version__}")


_MOVE_JS = """
const iv = Math.min(nV - 1, Math.max(0, Math.round((v.value - V[0]) / (V[1] - V[0]))));
const im = Math.min(nMu - 1, Math.max(0, Math.round((mu.value - MU[0]) / (MU[1] - MU[0]))));
const key = pick.value;
const img = images[key].data.image[0];
const row = new Array(nV), col = new Array(nMu);
for (let j = 0; j < nV; j++) row[j] = img[im * nV + j];
for (let i = 0; i < nMu; i++) col[i] = img[i * nV + iv];
cut_V.data = {x: V.slice(), y: row};
cut_mu.data = {x: MU.slice(), y: col};
cut_V_fig.title.text = `${symbols[key]} (${units[key]}) against V at μ_F = ${MU[im].toFixed(2)} meV`;
cut_mu_fig.title.text = `${symbols[key]} (${units[key]}) against μ_F at V = ${V[iv].toFixed(2)} mV`;
marker.data = {V: [V[iv]], mu_F: [MU[im]]};
for (const s of v_spans) s.location = V[iv];
mu_span.location = MU[im];
let io = 0;
for (let i = 1; i < OM.length; i++) if (Math.abs(OM[i] - MU[im]) < Math.abs(OM[io] - MU[im])) io = i;
const o = omega_all.data, out = {V: V.slice()};
for (const c of ["Omega_x", "Omega_y", "Omega_z"]) out[c] = Array.from(o[c].slice(io * nV, (io + 1) * nV));
omega.data = out;
omega_fig.title.text = `mean orientation Ω (Fokker–Planck) at μ_F = ${OM[io].toFixed(2)} meV`;
"""


def lecture_html(params, mu_F=GRID_MU_F, V=GRID_V, omega_mu_F=OMEGA_MU_F, label="dimer", data=None):
    """The lecture page of ``params``: standalone HTML (BokehJS inlined) with maps, marker, cuts and Omega.

    Parameters are those of :func:`lecture_data` (or its result as ``data``, to skip the computation), and
    ``label``, the name of the parameter set in the title (e.g. the preset's).  The
    sliders step through the grids; the selected quantity's cuts are read from the embedded map, Omega(V)
    from the coarse mu_F nearest the slider's (docs/lecture.md, "What the page holds").
    """
    from bokeh.embed.bundle import Bundle
    from bokeh.embed.elements import html_page_for_render_items
    from bokeh.embed.util import OutputDocumentFor, standalone_docs_json_and_render_items
    from bokeh.layouts import column, gridplot, row
    from bokeh.models import (ColorBar, ColumnDataSource, CustomJS, Div, LinearColorMapper, PrintfTickFormatter,
                              Select, Slider, Span)
    from bokeh.palettes import RdBu11, interp_palette
    from bokeh.plotting import figure
    from bokeh.resources import Resources

    ds = lecture_data(params, mu_F, V, omega_mu_F) if data is None else data
    mu, v, om = ds.mu_F.values, ds.V.values, ds.omega_mu_F.values
    i_mu = int(abs(mu - params.mu_F).argmin())
    i_v = int(abs(v - params.V).argmin())
    units = {k: QUANTITIES[k][0] for k in LECTURE_QUANTITIES}
    marker = ColumnDataSource({"V": [float(v[i_v])], "mu_F": [float(mu[i_mu])]}, name="marker")
    images, map_figs, v_spans = {}, [], []
    palette = interp_palette(RdBu11, 255)  # blue < 0 < red, as on the dashboard (dashboard/plots.py)
    ticks = PrintfTickFormatter(format="%.2g")
    for key, sym in LECTURE_QUANTITIES.items():
        values = ds[key].values
        half = _colour_half_width(key, values)
        src = ColumnDataSource({"image": [values]}, name=f"map_{key}")
        images[key] = src
        mapper = LinearColorMapper(name=f"colours_{key}", palette=palette, low=-half, high=half, nan_color="#cccccc")
        fig = figure(title=f"{sym} ({units[key]})", width=300, height=290, x_range=(v[0], v[-1]),
                     y_range=(mu[0], mu[-1]), x_axis_label="V (mV)", y_axis_label="μ_F (meV)",
                     tools="pan,wheel_zoom,reset,hover", tooltips=[("V", "$x{0.00} mV"), ("μ_F", "$y{0.00} meV"),
                                                                   (sym, "@image")])
        fig.image(image="image", source=src, x=v[0], y=mu[0], dw=v[-1] - v[0], dh=mu[-1] - mu[0],
                  color_mapper=mapper)
        fig.scatter(x="V", y="mu_F", source=marker, marker="x", size=12, line_color="lime", line_width=3)
        fig.add_layout(ColorBar(color_mapper=mapper, width=8, formatter=ticks), "right")
        map_figs.append(fig)
    first = next(iter(LECTURE_QUANTITIES))
    cut_V = ColumnDataSource({"x": v, "y": ds[first].values[i_mu, :]}, name="cut_V")
    cut_mu = ColumnDataSource({"x": mu, "y": ds[first].values[:, i_v]}, name="cut_mu")
    sym, unit = LECTURE_QUANTITIES[first], units[first]

    def curves(name, title, x_label, **options):
        return figure(name=name, title=title, width=500, height=280, x_axis_label=x_label,
                      tools="pan,wheel_zoom,reset", **options)

    cut_V_fig = curves("cut_V_figure", f"{sym} ({unit}) against V at μ_F = {mu[i_mu]:.2f} meV", "V (mV)")
    cut_mu_fig = curves("cut_mu_figure", f"{sym} ({unit}) against μ_F at V = {v[i_v]:.2f} mV", "μ_F (meV)")
    for fig, src in ((cut_V_fig, cut_V), (cut_mu_fig, cut_mu)):
        fig.line("x", "y", source=src, line_width=2)
        fig.yaxis.formatter = ticks
    v_spans.append(Span(location=float(v[i_v]), dimension="height", line_dash="dashed", line_color="gray"))
    mu_span = Span(location=float(mu[i_mu]), dimension="height", line_dash="dashed", line_color="gray")
    cut_V_fig.add_layout(v_spans[-1])
    cut_mu_fig.add_layout(mu_span)
    omega_all = ColumnDataSource({k: ds[k].values.ravel() for k in _OMEGA_KEYS}, name="omega_all")
    i_om = int(abs(om - mu[i_mu]).argmin())
    omega = ColumnDataSource({"V": v, **{k: ds[k].values[i_om] for k in _OMEGA_KEYS}}, name="omega")
    omega_fig = curves("omega_figure", f"mean orientation Ω (Fokker–Planck) at μ_F = {om[i_om]:.2f} meV", "V (mV)",
                       y_axis_label="Ω", y_range=(-1.05, 1.05))
    for k, colour in zip(_OMEGA_KEYS, _OMEGA_COLOURS):
        omega_fig.line("V", k, source=omega, line_width=2, color=colour, legend_label=f"Ω_{k[-1]}")
    omega_fig.legend.location = "bottom_left"
    v_spans.append(Span(location=float(v[i_v]), dimension="height", line_dash="dashed", line_color="gray"))
    omega_fig.add_layout(v_spans[-1])
    mu_slider = Slider(start=mu[0], end=mu[-1], step=mu[1] - mu[0], value=float(mu[i_mu]), title="μ_F (meV)",
                       format="0.00", width=420, css_classes=["lecture-mu_F"], name="slider_mu_F")
    v_slider = Slider(start=v[0], end=v[-1], step=v[1] - v[0], value=float(v[i_v]), title="V (mV)",
                      format="0.00", width=420, css_classes=["lecture-V"], name="slider_V")
    pick = Select(title="cuts of", value=first, options=[(k, f"{s} ({units[k]})") for k, s in
                                                          LECTURE_QUANTITIES.items()], width=200, name="pick")
    move = CustomJS(args=dict(v=v_slider, mu=mu_slider, pick=pick, images=images, marker=marker, cut_V=cut_V,
                              cut_mu=cut_mu, cut_V_fig=cut_V_fig, cut_mu_fig=cut_mu_fig, v_spans=v_spans,
                              mu_span=mu_span, omega_all=omega_all, omega=omega, omega_fig=omega_fig,
                              V=[float(x) for x in v], MU=[float(x) for x in mu], OM=[float(x) for x in om],
                              nV=int(v.size), nMu=int(mu.size), symbols=LECTURE_QUANTITIES, units=units),
                    code=_MOVE_JS)
    for widget in (mu_slider, v_slider):
        widget.js_on_change("value", move)
    pick.js_on_change("value", move)
    title = _title(params, label)
    scales = ", ".join(f"{LECTURE_QUANTITIES[k]} the {_colour_percentile(k):g}th" for k in LECTURE_QUANTITIES)
    omega_note = (f"at the {om.size} values μ_F = {om[0]:g} … {om[-1]:g} meV (the nearest to the slider's is shown)"
                  if om.size > 1 else f"at μ_F = {om[0]:g} meV only")
    header = Div(text=f"<h2>{title}</h2><p>Maps over a {mu.size} × {v.size} grid (μ_F, V) from "
                      f"<code>dimer_core.maps</code>; colour scales centred at zero, spanning ± a "
                      f"percentile of |value| ({scales}; beyond it the colour saturates; grey: T_eff undefined). "
                      f"The mean orientation Ω of the free spin (spin 2, m₁ pinned) is the Fokker–Planck "
                      f"stationary average, precomputed {omega_note}. Cross: the selected (μ_F, V).</p>",
                 width=1400)
    layout = column(header, row(mu_slider, v_slider, pick),
                    gridplot(map_figs, ncols=len(map_figs), toolbar_location="right"),
                    row(cut_V_fig, cut_mu_fig, omega_fig))
    # BokehJS written into the page from its raw sources: Bokeh's own bundling (file_html with INLINE) adds every
    # registered extension as a <script src>, e.g. Panel's once panel is imported, which a file opened from disk
    # cannot load; the page is file_html's, with a bundle of BokehJS alone
    with OutputDocumentFor([layout]):
        docs_json, render_items = standalone_docs_json_and_render_items([layout])
        bundle = Bundle(js_raw=Resources(mode="inline").js_raw)
        return html_page_for_render_items(bundle, docs_json, render_items, title=title)


__all__ = ["LECTURE_QUANTITIES", "GRID_MU_F", "GRID_V", "OMEGA_MU_F", "COLOUR_PERCENTILE", "TITLE_PARAMS",
           "lecture_data",
           "lecture_html"]
