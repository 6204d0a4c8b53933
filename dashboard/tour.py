"""A guided tour for lecturers: named views of the paper's results, stepped through with Back and Next.

Each view sets a preset, the bias point (V, mu_F) and the maps shown, and says in a
paragraph what to look at.  Each is a URL: ``?tour=k`` opens view k (1-based).  The
statements in the paragraphs are checked against :mod:`dimer_core` at each view's
parameters by ``tests/test_tour.py``.
"""
from dataclasses import dataclass

import panel as pn
import param

from dimer_core import PRESETS


@dataclass(frozen=True)
class View:
    title: str
    preset: str
    V: float        # mV
    mu_F: float     # meV
    maps: tuple
    text: str


VIEWS = (
    View("The X pattern (Fig. 2)", "weak-soc", 0.0, 0.0, ("J_2", "D_2", "a_i_22", "j_i_22"),
         "Every map depends on the leads' chemical potentials μ_L = μ_F + eV/2 and μ_R = μ_F − eV/2. Its "
         "features follow the lines where μ_L or μ_R crosses a resonance of the dimer (dotted), which cross as an "
         "**X**. The exchange J₂ is antiferromagnetic (J₂ < 0, blue) within the band |μ_R| < t₀ − t and "
         "ferromagnetic outside it. At V = 0 and T = 0 the noise j⁽ⁱ⁾₂₂ vanishes: a bias is needed to shake the spin."),
    View("D is odd in the bias", "weak-soc", 2.0, 0.0, ("D_2", "J_2", "A_2", "K_2"),
         "The Dzyaloshinskii–Moriya coupling D₂ vanishes at V = 0 and changes sign with the bias: "
         "D₂(−V) = −D₂(V) at every μ_F (the map is antisymmetric about V = 0). It is step-like, with its first "
         "plateau bounded by |μ_L|, |μ_R| < t₀ − t. Move V to −2 mV and watch the cut against μ_F flip."),
    View("Negative damping: the current pumps energy", "weak-soc", -3.0, 2.0, ("a_i_22", "j_i_22", "J_2", "D_2"),
         "The Gilbert damping α⁽ⁱ⁾₂₂ peaks near |μ_L| = t₀ − t and |μ_R| = t₀, and turns **negative** where "
         "|μ_L| < t₀ − t while |μ_R| > t₀, as at the marker: the current injects energy into the spin, and the "
         "effective temperature T_eff (noise over damping) is negative there."),
    View("Switching at 3 mV (Fig. 4)", "weak-soc", 3.0, 0.0, ("J_2", "D_2", "a_i_22", "j_i_22"),
         "Mean orientation Ω of the free spin (plot below the cuts): for |V| below about 3 mV it is antiparallel "
         "to the pinned spin (Ω_z ≈ −1), beyond it parallel. Ω_y peaks near the switch with the sign of V: the "
         "bias-odd DMI steers the reversal. The *Langevin* tab integrates the full stochastic LLG for comparison."),
    View("Strong SOC turns the spin to ±y (Fig. 5)", "strong-soc", 4.0, 0.0, ("J_2", "D_2", "a_i_22", "a_an_22"),
         "With t = t₀/2 the spin is antiparallel at V = 0, and with |V| it turns orthogonal to the pinned spin, "
         "along +y for V > 0 and −y for V < 0 (Ω_y in the plot below): the DMI wins over the exchange and no "
         "parallel state appears."),
    View("Anisotropies are small under weak SOC (Fig. 6)", "weak-soc", 0.0, 0.0,
         ("A_2", "K_2", "a_an_22", "j_an_22"),
         "The anisotropic exchange A₂ and the anisotropy K₂ are about a hundred times smaller than J₂ (compare "
         "the colour bars with the first view), and so are the anisotropic damping and noise: with weak SOC the "
         "isotropic terms rule."),
    View("Strong SOC maps (Fig. 7)", "strong-soc", 0.0, 0.0, ("J_2", "D_2", "a_i_22", "a_an_22"),
         "With t = t₀/2 the exchange J₂ is about half its weak-SOC size, D₂ is larger than J₂, and the anisotropic "
         "damping α⁽ᵃⁿ⁾₂₂ is comparable to the isotropic α⁽ⁱ⁾₂₂ (here even larger)."),
)
"""The views of the tour, in order (``?tour=1`` is the first)."""


class Tour(param.Parameterized):
    """Which view of the tour a session shows (0: none), and applying it to the session's state."""

    step = param.Integer(default=0, bounds=(0, len(VIEWS)), doc="The view shown, 1-based; 0 when not touring")

    def __init__(self, dash, **params):
        super().__init__(**params)
        self.dash = dash

    @param.depends("step", watch=True)
    def _apply(self):
        if self.step == 0:
            return
        view = VIEWS[self.step - 1]
        with pn.io.hold():
            self.dash.symmetric = True
            self.dash.preset = view.preset
            self.dash.p.param.update(**{**PRESETS[view.preset], "V": view.V, "mu_F": view.mu_F})
            self.dash.quantities = list(view.maps)


def tour_panel(tour):
    """A button that starts the tour; while touring, the view's title, paragraph, Back, Next and Close."""
    start = pn.widgets.Button(label="▶ Guided tour", color="primary", variant="outline", width=140,
                              css_classes=["tour-start"])
    back = pn.widgets.Button(label="◀ Back", width=90, css_classes=["tour-back"])
    forward = pn.widgets.Button(label="Next ▶", color="primary", width=90, css_classes=["tour-next"])
    close = pn.widgets.Button(label="Close the tour", width=130, css_classes=["tour-close"])
    text = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["tour-text"], margin=(0, 10))

    start.on_click(lambda _: setattr(tour, "step", 1))
    back.on_click(lambda _: setattr(tour, "step", max(1, tour.step - 1)))
    forward.on_click(lambda _: setattr(tour, "step", min(len(VIEWS), tour.step + 1)))
    close.on_click(lambda _: setattr(tour, "step", 0))
    body = pn.Column(text, pn.Row(back, forward, close), visible=False, sizing_mode="stretch_width",
                     styles={"background": "#eef4fa", "border-radius": "6px"})

    def show(*_):
        touring = tour.step > 0
        start.visible, body.visible = not touring, touring
        if touring:
            view = VIEWS[tour.step - 1]
            text.object = (f"**Tour, view {tour.step} of {len(VIEWS)}: {view.title}** "
                           f"([link to this view](?tour={tour.step}))\n\n{view.text}")
            back.disabled, forward.disabled = tour.step == 1, tour.step == len(VIEWS)

    tour.param.watch(show, "step")
    show()
    return pn.Column(start, body, sizing_mode="stretch_width")
