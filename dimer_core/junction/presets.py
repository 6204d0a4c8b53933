"""Named junctions: the paper's dimer (weak and strong SOC), a three-site chain, a four-site ring, STM geometries.

All share the paper's electronic scales (Sec. III: te = 100, t0 = 2, contacts 10 meV, levels 0, that = x,
S = 5/2) unless said otherwise:

==================  =========================================================================================
name                model
==================  =========================================================================================
dimer-weak-soc      :func:`from_dimer` of the dimer preset "weak-soc" (t = 0.1 meV)
dimer-strong-soc    :func:`from_dimer` of "strong-soc" (t = 1 meV)
chain3              sites 1–2–3, bonds t0 = 2, t = 0.1; lead L (eta = +½) on site 1, R (eta = −½) on site 3,
                    both 10 meV: mirror-symmetric (1 ↔ 3, L ↔ R)
ring4               sites 1–2–3–4–1, bonds t0 = 2 (1.5 on 4–1), t = 0.2; L on site 1, R on site 3 (10 meV)
stm                 the chain's three sites under an STM tip: "tip" (eta = 1: mu_tip = mu_F + V) over site 1
                    with 2 meV, "substrate" (eta = 0) under all three sites with 8 meV each
stm-polarised       stm with the tip polarised, p = 0.5 along z
==================  =========================================================================================
"""
from ..params import preset as dimer_preset
from .model import Bond, Junction, Lead, from_dimer

PAPER = dict(te=100.0, t0=2.0, contact=10.0)


def _chain3(**changes):
    return Junction(eps=(0.0, 0.0, 0.0), bonds=(Bond(1, 2, 2.0, 0.1), Bond(2, 3, 2.0, 0.1)),
                    leads=(Lead("L", 100.0, (1,), (10.0,), 0.5), Lead("R", 100.0, (3,), (10.0,), -0.5)),
                    name="chain3", **changes)


def _ring4(**changes):
    # the bond 4–1 weaker than the others: with four equal bonds |2> − |4> would touch neither lead (rejected
    # by Junction.check); t0_12·t0_34 ≠ t0_14·t0_23 couples it
    bonds = tuple(Bond(a, a % 4 + 1, 1.5 if a == 4 else 2.0, 0.2) for a in range(1, 5))
    return Junction(eps=(0.0,) * 4, bonds=bonds,
                    leads=(Lead("L", 100.0, (1,), (10.0,), 0.5), Lead("R", 100.0, (3,), (10.0,), -0.5)),
                    name="ring4", **changes)


def _stm(p=0.0, name="stm", **changes):
    return Junction(eps=(0.0, 0.0, 0.0), bonds=(Bond(1, 2, 2.0, 0.1), Bond(2, 3, 2.0, 0.1)),
                    leads=(Lead("tip", 100.0, (1,), (2.0,), 1.0, p, (0.0, 0.0, 1.0)),
                           Lead("substrate", 100.0, (1, 2, 3), (8.0, 8.0, 8.0), 0.0)),
                    name=name, **changes)


PRESETS = {
    "dimer-weak-soc": lambda **c: from_dimer(dimer_preset("weak-soc"), name="dimer-weak-soc").updated(**c),
    "dimer-strong-soc": lambda **c: from_dimer(dimer_preset("strong-soc"), name="dimer-strong-soc").updated(**c),
    "chain3": _chain3,
    "ring4": _ring4,
    "stm": _stm,
    "stm-polarised": lambda **c: _stm(p=0.5, name="stm-polarised", **c),
}
"""Preset name → constructor taking field changes (mu_F=…, V=…, T=…)."""


def preset(name, **changes):
    """The junction ``name`` of :data:`PRESETS`, with optional changes of its fields (e.g. mu_F, V, T)."""
    if name not in PRESETS:
        raise ValueError(f"unknown junction preset {name!r}; known: {', '.join(PRESETS)}")
    return PRESETS[name](**changes)


__all__ = ["PRESETS", "preset"]
