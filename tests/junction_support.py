"""Helpers of the junction tests: a brute-force model dict (tests/brute_junction.py) as an engine Junction."""
import numpy as np

from dimer_core import junction as J


def to_junction(m):
    """The :class:`dimer_core.junction.Junction` of a model dict of :mod:`tests.brute_junction`."""
    leads = []
    for k, lead in enumerate(m["leads"]):
        sites = [int(i) + 1 for i in np.nonzero(lead["v"])[0]]
        leads.append(J.Lead(f"c{k + 1}", lead["te"], tuple(sites), tuple(float(lead["v"][s - 1]) for s in sites),
                            lead["eta"], lead["p"], tuple(lead["n"])))
    bonds = tuple(J.Bond(int(a) + 1, int(b) + 1, float(t0), float(t)) for a, b, t0, t in m["bonds"])
    return J.Junction(eps=tuple(float(x) for x in m["eps"]), bonds=bonds, leads=tuple(leads),
                      that=tuple(m["that"]), mu_F=m["mu_F"], V=m["V"], T=m["T"])


def family_size(ds, name):
    """Largest |entry| of a tensor family of a junction point (the scale of the tolerances)."""
    return float(np.abs(ds[name].values).max())
