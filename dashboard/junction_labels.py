"""Symbols and units of a junction's named views (:data:`dimer_core.junction.VIEWS`) for the junction page.

The keys stay ASCII (``J_13``, ``a_i_33``, ``I_tip``); the page shows ``J₁₃ (1/meV)``, ``α⁽ⁱ⁾₃₃ (1/meV²)``,
``I_tip (nA)``, written as :mod:`dashboard.labels` writes the dimer's (``J₂``, ``α⁽ⁱ⁾₂₂``).  Units are those
:func:`dimer_core.junction.describe` gives, with powers as superscripts.
"""
import re

from dimer_core.junction import describe

__all__ = ["symbol", "unit", "label"]

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
PART = {"i": "⁽ⁱ⁾", "an": "⁽ᵃⁿ⁾", "DM": "⁽ᴰᴹ⁾"}
"""The superscript of each part of a tensor (isotropic, anisotropic, DM), as in :data:`dashboard.labels.SYMBOLS`."""
PATTERNS = (
    (r"(?P<s>[sJDAK])_(?P<ab>\d+)", lambda g: g["s"] + g["ab"].translate(_SUBSCRIPT)),
    (r"chi(?P<ab>\d\d)_DM", lambda g: "χ" + PART["DM"] + g["ab"].translate(_SUBSCRIPT)),
    (r"a_(?P<x>i|an|DM)_(?P<ab>\d\d)", lambda g: "α" + PART[g["x"]] + g["ab"].translate(_SUBSCRIPT)),
    (r"j_(?P<x>i|an|DM)_(?P<ab>\d\d)", lambda g: "j" + PART[g["x"]] + g["ab"].translate(_SUBSCRIPT)),
    (r"T_eff_(?P<a>\d)", lambda g: "T_eff," + g["a"]),
    (r"I_(?P<c>.+)", lambda g: "I_" + g["c"]),
)


def symbol(key):
    """The symbol of a junction view, e.g. ``symbol("a_an_31") == "α⁽ᵃⁿ⁾₃₁"``, ``symbol("I_tip") == "I_tip"``."""
    for pattern, write in PATTERNS:
        hit = re.fullmatch(pattern, key)
        if hit:
            return write(hit.groupdict())
    raise KeyError(f"no symbol for {key!r}; keys look like J_13, a_i_33, chi33_DM, T_eff_3, I_L")


def unit(key):
    """The unit of a junction view (``""`` when dimensionless), e.g. ``"1/meV²"``."""
    text = describe(key)[0]
    return "" if text == "1" else text.replace("^2", "²")


def label(key):
    """``"symbol (unit)"``, or the symbol alone when the view has no unit."""
    return f"{symbol(key)} ({unit(key)})" if unit(key) else symbol(key)
