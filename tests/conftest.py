"""Shared fixtures: maps of the paper's presets, computed once per test session."""
import numpy as np
import pytest

import dimer_core as dc

MU_F = np.linspace(-6.0, 6.0, 121)
V = np.linspace(-12.0, 12.0, 121)


@pytest.fixture(scope="session")
def weak_map():
    return dc.maps(dc.preset("weak-soc"), MU_F, V)


@pytest.fixture(scope="session")
def strong_map():
    return dc.maps(dc.preset("strong-soc"), MU_F, V)


def lead_potentials(ds):
    """mu_L, mu_R on the map grid (meV)."""
    mu, v = np.meshgrid(ds.mu_F.values, ds.V.values, indexing="ij")
    return mu + v / 2, mu - v / 2
