"""What a change of model, T or pair costs the junction page (/junction): one pair's 161 × 161 maps and views.

Run: ``NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bench_junction_page.py`` (about half a minute).

One thread's CPU time (``time.thread_time``), median of 5, all measured in this run:

* the baseline: the dimer page's map set (``dimer_core.maps`` of the weak-SOC preset over the same grid, every
  named quantity), its table cached;
* the engine's map of the pair alone (``maps(..., pairs=[(a, b)])``, tables cached), and
  ``dashboard.junction_state.pair_maps`` (``maps(..., pairs=[(a, b)])`` + ``pair_dataset``) of each preset's
  pair (1, N) and of ring4's site 1 alone, with the page's cache of pair maps cleared but the engine's tables
  cached (a new pair or T of a model seen before), and with the tables cleared too (a model's first map);
* the views alone on the pair's map: ``pair_dataset`` (each block (tensor, a, b) projected once for all its views)
  against ``value(ds, key)`` key by key without a memo (each view projects its block again: the route before).
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import sys  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bench_junction_maps import median_cpu as cpu  # noqa: E402 (this folder: the script's own)
from dashboard import junction_state  # noqa: E402
from dashboard.state import MAP_MU_F, MAP_V  # noqa: E402
from dimer_core import maps, preset  # noqa: E402
from dimer_core.junction import PRESETS, dumps, pair_dataset, pair_keys, value  # noqa: E402
from dimer_core.couplings.views import site_keys  # noqa: E402
from dimer_core.junction import maps as junction_maps  # noqa: E402
from dimer_core.junction import preset as junction_preset  # noqa: E402

def clear_pairs():
    junction_state._cache.clear()


def clear_all():
    clear_pairs()
    junction_maps.clear_cache()


def main():
    p = preset("weak-soc")
    maps(p, MAP_MU_F, MAP_V)  # compile and build the table
    base = cpu(lambda: maps(p, MAP_MU_F, MAP_V))
    print(f"baseline: the dimer page's map set, table cached: {base * 1e3:.0f} ms")
    cases = [(name, 1, junction_preset(name).n_sites) for name in PRESETS] + [("ring4", 1, 1)]
    for name, a, b in cases:
        junction = junction_preset(name)
        text = dumps(junction)
        junction_state.pair_maps(text, 0.0, a, b)  # compile
        chosen = {"sites": [a]} if a == b else {"pairs": [(a, b)]}
        engine = cpu(lambda: junction_maps.maps(junction, MAP_MU_F, MAP_V, **chosen))
        warm = cpu(lambda: junction_state.pair_maps(text, 0.0, a, b), before=clear_pairs)
        cold = cpu(lambda: junction_state.pair_maps(text, 0.0, a, b), before=clear_all)
        ds = junction_maps.maps(junction, MAP_MU_F, MAP_V, **chosen)
        keys = site_keys(ds, a) if a == b else pair_keys(ds, a, b)
        views = cpu(lambda: pair_dataset(ds, a, b))
        per_key = cpu(lambda: {k: value(ds, k) for k in keys})
        print(f"{name:17s} pair {a},{b}: the engine's map alone {engine * 1e3:4.0f} ms ({engine / base:4.1f}x the "
              f"baseline); with the views, tables cached {warm * 1e3:4.0f} ms ({warm / base:4.1f}x), tables built "
              f"{cold * 1e3:4.0f} ms ({cold / base:4.1f}x); the views alone {views * 1e3:4.1f} ms, key by key "
              f"{per_key * 1e3:4.1f} ms ({per_key / views:3.1f}x)")


if __name__ == "__main__":
    main()
