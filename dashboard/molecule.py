"""The molecule of a junction drawn in Bokeh: sites, bonds and leads with their parameters (junction page).

Sites sit on a circle when the bonds close a ring (as many bonds as sites or more), else on a line in
their order; each lead is a box beside the sites it touches, joined to each by a line labelled with its
hopping.  Every number is the :class:`~dimer_core.junction.Junction`'s own (meV; η and p dimensionless).
"""
import numpy as np
from bokeh.models import ColumnDataSource, Range1d, Title
from bokeh.plotting import figure

__all__ = ["RADIUS", "SPACING", "LEAD_OFFSET", "BOX", "site_positions", "outward", "lead_positions", "molecule_figure"]

SITE_COLOUR, LEAD_COLOUR = "#56B4E9", "#E69F00"


RADIUS, SPACING, LEAD_OFFSET = 2.2, 3.0, 2.6
"""Layout lengths (plot units): the ring's radius, the line's site spacing, a lead box's distance from its sites."""
BOX = (2.3, 1.0)
"""A lead box's width and height (plot units)."""


def site_positions(junction):
    """(N, 2) positions of the sites: on a circle (site 1 on the left, clockwise) for a ring, else on a line."""
    n = junction.n_sites
    if n >= 3 and len(junction.bonds) >= n:
        angle = np.pi + 2.0 * np.pi * np.arange(n) / n
        return RADIUS * np.column_stack([np.cos(angle), -np.sin(angle)])
    return np.column_stack([SPACING * (np.arange(n) - (n - 1) / 2.0), np.zeros(n)])


def outward(point, ring):
    """The unit vector pointing away from the middle of a ring (up for the line's points)."""
    r = np.hypot(*point)
    return point / r if ring and r > 1e-9 else np.array([0.0, 1.0])


def lead_positions(junction, sites):
    """(M, 2) positions of the leads' boxes: outward from the middle of the sites each touches (on a circle),
    or above and below the line of sites in turn."""
    ring = bool(sites[:, 1].any())
    out = []
    for k, lead in enumerate(junction.leads):
        centre = sites[[s - 1 for s in lead.sites]].mean(axis=0)
        if ring:
            r = np.hypot(*centre)
            out.append(outward(centre, ring) * (RADIUS + LEAD_OFFSET) if r > 1e-9 else np.array([0.0, -RADIUS]))
        else:
            out.append(centre + np.array([0.0, LEAD_OFFSET if k % 2 == 0 else -LEAD_OFFSET]))
    return np.array(out)


def _number(x):
    return f"{x:g}"


def molecule_figure(junction, width=520, height=380):
    """The junction's sites (ε), bonds (t₀, t), leads (name, t_e, η, p) and contacts (hoppings) in one figure."""
    xy = site_positions(junction)
    ring = bool(xy[:, 1].any())
    boxes = lead_positions(junction, xy)
    fig = figure(title=f"the molecule: {junction.name}", width=width, height=height, tools="save",
                 toolbar_location=None, match_aspect=True)
    fig.axis.visible = False
    fig.grid.visible = False
    everything = np.vstack([xy, boxes])
    lo, hi = everything.min(axis=0) - 1.5, everything.max(axis=0) + 1.2
    fig.x_range, fig.y_range = Range1d(lo[0], hi[0]), Range1d(lo[1], hi[1])

    contacts = [(boxes[k], xy[s - 1], t) for k, c in enumerate(junction.leads) for s, t in zip(c.sites, c.t)]
    fig.multi_line(xs=[[a[0], b[0]] for a, b, _ in contacts], ys=[[a[1], b[1]] for a, b, _ in contacts],
                   line_color=LEAD_COLOUR, line_dash="dashed", line_width=2)
    at = np.array([b + 0.4 * (a - b) for a, b, _ in contacts]).reshape(-1, 2)  # nearer the site than the box
    fig.text(x=at[:, 0], y=at[:, 1],
             text=[f"{_number(t)}" for *_, t in contacts], text_font_size="9pt", text_color="#8a5a00",
             text_align="center", text_baseline="middle", background_fill_color="white")

    bonds = junction.bonds
    fig.multi_line(xs=[[xy[b.a - 1, 0], xy[b.b - 1, 0]] for b in bonds],
                   ys=[[xy[b.a - 1, 1], xy[b.b - 1, 1]] for b in bonds], line_color="#333333", line_width=3)
    middles = [0.5 * (xy[b.a - 1] + xy[b.b - 1]) for b in bonds]
    places = np.array([m + (0.75 if ring else 0.45) * outward(m, ring) for m in middles]).reshape(-1, 2)
    fig.text(x=places[:, 0], y=places[:, 1], text=[f"t₀ = {_number(b.t0)}, t = {_number(b.t)}" for b in bonds],
             text_font_size="9pt", text_align="center", text_baseline="middle")

    inside = np.array([p - 0.8 * outward(p, ring) for p in xy]) if ring else xy  # a ring's ε inside it
    sites = ColumnDataSource({"x": xy[:, 0], "y": xy[:, 1], "n": [str(a + 1) for a in range(junction.n_sites)],
                              "eps": [f"ε = {_number(e)}" for e in junction.eps], "ex": inside[:, 0],
                              "ey": inside[:, 1]})
    fig.scatter("x", "y", source=sites, size=30, fill_color=SITE_COLOUR, line_color="#1f4e79", line_width=2)
    fig.text("x", "y", text="n", source=sites, text_align="center", text_baseline="middle",
             text_font_style="bold")
    if ring:
        fig.text("ex", "ey", text="eps", source=sites, text_align="center", text_baseline="middle",
                 text_font_size="9pt")
    else:
        fig.text("x", "y", text="eps", source=sites, text_align="left", text_baseline="top", x_offset=12,
                 y_offset=12, text_font_size="9pt")

    leads = junction.leads
    heights = [BOX[1] * (1.4 if c.p else 1.0) for c in leads]  # a polarised lead's box has a third line
    fig.rect(x=boxes[:, 0], y=boxes[:, 1], width=BOX[0], height=heights, fill_color="#fff3d6",
             line_color=LEAD_COLOUR, line_width=2)
    fig.text(x=boxes[:, 0], y=boxes[:, 1], text=[f"{c.name}\nt_e = {_number(c.te)}, η = {_number(c.eta)}"
                                                 + (f"\np = {_number(c.p)}" if c.p else "") for c in leads],
             text_align="center", text_baseline="middle", text_font_size="9pt")
    fig.add_layout(Title(text="energies and hoppings in meV; dashed: contacts with their hopping",
                         text_font_size="8pt", text_font_style="italic"), "below")
    return fig
