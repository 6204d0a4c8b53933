"""How the page names things: the paper's symbols, with units, for every quantity and parameter.

The library, the CLI and the files keep their ASCII keys (``a_i_22``, ``mu_F``); the page shows
``α⁽ⁱ⁾₂₂ (1/meV²)``, ``μ_F (meV)``.  Units are not repeated here: a quantity's unit is its entry
in :data:`dimer_core.QUANTITIES`, a parameter's the one its declaration in
:class:`dimer_core.DimerParams` states.  The symbols are Unicode, drawn by Bokeh as plain text
(no MathJax to load); a subscript uses Unicode subscripts where every character has one (J₂, t₀),
else an underscore (μ_F, T_eff, Ω_y).

SYMBOLS          key → symbol, for every quantity of QUANTITIES and parameter of DimerParams
COLOURS          quantity key → its line colour, the same in every plot
symbol, unit     the symbol and the unit (``""`` when dimensionless) of a key
label            ``"symbol (unit)"``
scaled_label     ``"symbol (10ⁿ unit)"``: the label of values shown divided by 10ⁿ
decade           the power of ten :func:`scaled_label` uses for values up to a given size
"""
import math

from dimer_core import QUANTITIES, DimerParams

__all__ = ["SYMBOLS", "COLOURS", "symbol", "unit", "label", "scaled_label", "decade"]

SYMBOLS = {
    # quantities (paper Eqs. 4–6 and App. A; docs/physics.md, "Named couplings")
    "s_1": "s₁", "s_2": "s₂",
    "J_1": "J₁", "J_2": "J₂", "D_1": "D₁", "D_2": "D₂", "A_1": "A₁", "A_2": "A₂", "K_1": "K₁", "K_2": "K₂",
    "chi22_DM": "χ⁽ᴰᴹ⁾₂₂",
    "a_i_22": "α⁽ⁱ⁾₂₂", "a_an_22": "α⁽ᵃⁿ⁾₂₂", "a_DM_22": "α⁽ᴰᴹ⁾₂₂",
    "a_i_21": "α⁽ⁱ⁾₂₁", "a_an_21": "α⁽ᵃⁿ⁾₂₁", "a_DM_21": "α⁽ᴰᴹ⁾₂₁",
    "j_i_22": "j⁽ⁱ⁾₂₂", "j_an_22": "j⁽ᵃⁿ⁾₂₂", "j_DM_22": "j⁽ᴰᴹ⁾₂₂", "j_i_21": "j⁽ⁱ⁾₂₁", "j_an_21": "j⁽ᵃⁿ⁾₂₁",
    "T_eff_2": "T_eff", "I": "I",
    # parameters (paper Sec. II–IV)
    "t": "t", "t0": "t₀", "tL": "t_L", "tR": "t_R", "te": "t_e", "eps1": "ε₁", "eps2": "ε₂", "that": "t̂",
    "mu_F": "μ_F", "V": "V", "T": "T", "S": "S", "Delta": "Δ", "m1": "m₁", "h": "h",
    "K_easy": "K_easy", "e_easy": "ê_easy", "K_hard": "K_hard", "n_hard": "n̂_hard",
}

COLOURS = dict(zip(
    ("J_2", "D_2", "a_i_22", "j_i_22", "A_2", "K_2", "a_an_22", "j_an_22",  # the maps shown at first
     "s_1", "s_2", "J_1", "D_1", "A_1", "K_1", "chi22_DM", "a_DM_22", "a_i_21", "a_an_21", "a_DM_21",
     "j_DM_22", "j_i_21", "j_an_21", "T_eff_2", "I"),
    ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8800FF", "#663311",
     "#334444", "#99BB66", "#BB55FF", "#4422BB", "#880077", "#AA5544", "#885577", "#552299",
     "#FF4477", "#DD00BB", "#AA3300", "#9999FF", "#999933", "#554433", "#CC9999", "#005588")))
"""One colour per quantity, the same in every plot.  Chosen greedily from sRGB colours of CIELAB
lightness 25–72 (visible as lines on white), starting from six Okabe–Ito colours, to maximise the
smallest CIELAB distance between any two, taken as the worst over normal vision and simulated protan,
deutan and tritan vision (Machado et al. 2009, full severity): that distance is 13 for all 24 and 16
for the first eight, the maps shown at first (a just-noticeable difference is about 2)."""

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def symbol(key):
    """The paper's symbol of a quantity or parameter, e.g. ``symbol("a_i_22") == "α⁽ⁱ⁾₂₂"``."""
    return SYMBOLS[key]


def unit(key):
    """The unit of a quantity (from QUANTITIES) or parameter (from its declaration); ``""`` if it has none."""
    if key in QUANTITIES:
        text = QUANTITIES[key][0]
    else:
        text = DimerParams.param[key].doc.rsplit("[", 1)[-1].rstrip("]")
    return "" if text in ("1", "dimensionless", "unit vector") else text


def label(key):
    """``"symbol (unit)"``, or the symbol alone when the key has no unit: e.g. ``"μ_F (meV)"``."""
    return f"{symbol(key)} ({unit(key)})" if unit(key) else symbol(key)


def decade(size):
    """The power of ten n by which values up to ``size`` in magnitude are shown (0 from 0.1 to 1000).

    Divided by 10ⁿ they lie within 1–10 in magnitude, so their ticks need no more than two digits.
    """
    if not (math.isfinite(size) and size > 0) or 0.1 <= size < 1000:
        return 0
    return math.floor(math.log10(size))


def scaled_label(key, n):
    """The label of a quantity's values shown divided by 10ⁿ: e.g. ``"D₂ (10⁻²/meV)"``, ``"s₂ (10⁻²)"``."""
    if n == 0:
        return label(key)
    power, text = "10" + str(n).translate(_SUPERSCRIPT), unit(key)
    scaled = power if not text else power + text[1:] if text.startswith("1/") else f"{power} {text}"
    return f"{symbol(key)} ({scaled})"
