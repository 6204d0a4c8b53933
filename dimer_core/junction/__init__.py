"""Any small junction: N sites, bonds with SOC about a common axis, any leads (docs/junction.md).

A facade: the model lives here, the rest in the folders of the data flow, re-exported under one name.

Model (:mod:`.model`, :mod:`.presets`, :mod:`.modelfile`)
    Junction, Bond, Lead      a frozen, validated description; ``from_dimer(p)`` for a DimerParams
    PRESETS, preset(name)     dimer-weak-soc, dimer-strong-soc, chain3, ring4, stm, stm-polarised
    read_model, write_model   TOML model files (loads, dumps for text); read_spins: their bare one-spin terms
Electrons (:mod:`dimer_core.electrons.hamiltonian`, ``junction_grid``, ``junction_response``)
    point(junction)           χ_ab(0), ∂_E Im χ_ab, C_ab (3×3 per pair), ⟨s_a⟩, I_c as an xarray.Dataset
Maps (:mod:`dimer_core.electrons.junction_maps`, ``junction_tables``)
    maps.maps(junction, mu_F, V, pairs=None)   the same over a mu_F × V grid: tables once per model, O(1) a
                              point (the module, re-exported as ``maps``: its function is not, not to hide it)
Views (:mod:`dimer_core.couplings.views`)
    value(ds, key), pair_view(ds, a, b), pair_dataset(map, a, b), dimer_view(ds), parts(ds), VIEWS
                              named couplings (J_21, D_21, …), of a point or of a map
Spins (:mod:`dimer_core.spins.junction_spins`; sweeps in :mod:`dimer_core.studies.junction_sweeps`)
    spin_model(junction, V, free, pinned, bare), OneSpin, fp_orientation   the LLG of any junction's spins
    junction_sweeps.junction_sweep(junction, V, free, …)   Fokker–Planck or Langevin against V
"""
from .model import Bond, Junction, Lead, from_dimer
from .modelfile import dumps, loads, loads_spins, read_model, read_spins, write_model
from .presets import PRESETS, preset
from ..electrons import junction_maps as maps
from ..electrons.junction_response import point
from ..spins.junction_spins import OneSpin, fp_orientation, spin_model
from ..couplings.dimer import dimer_view
from ..couplings.views import VIEWS, describe, form_residual, pair_dataset, pair_keys, pair_view, parts, value

__all__ = ["Junction", "Bond", "Lead", "from_dimer", "PRESETS", "preset", "read_model", "write_model", "loads",
           "dumps", "point", "maps", "VIEWS", "value", "describe", "pair_keys", "pair_view", "pair_dataset",
           "dimer_view", "parts", "form_residual", "OneSpin", "spin_model", "fp_orientation", "read_spins",
           "loads_spins"]
