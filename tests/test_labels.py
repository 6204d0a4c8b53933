"""The page's names of things (dashboard.labels): a symbol for every quantity and parameter, units from dimer_core."""
import pytest

from dashboard.labels import COLOURS, SYMBOLS, decade, label, scaled_label, symbol
from dimer_core import QUANTITIES, DimerParams


def test_every_quantity_and_parameter_has_a_symbol_and_every_quantity_its_own_colour():
    assert set(SYMBOLS) == set(QUANTITIES) | (set(DimerParams.param) - {"name"})
    assert set(COLOURS) == set(QUANTITIES) and len(set(COLOURS.values())) == len(COLOURS)
    assert len(set(SYMBOLS[k] for k in QUANTITIES)) == len(QUANTITIES), "no two quantities look alike"


@pytest.mark.parametrize("key, text", [("mu_F", "μ_F (meV)"), ("V", "V (mV)"), ("a_i_22", "α⁽ⁱ⁾₂₂ (1/meV²)"),
                                       ("T_eff_2", "T_eff (K)"), ("s_2", "s₂"), ("S", "S"), ("that", "t̂")])
def test_a_label_is_the_symbol_with_the_unit_dimer_core_declares(key, text):
    assert label(key) == text


@pytest.mark.parametrize("size, n", [(0.0023, -3), (0.045, -2), (0.099, -2), (0.1, 0), (0.25, 0), (999.0, 0),
                                     (1.5e4, 4), (0.0, 0), (float("inf"), 0)])
def test_values_are_scaled_to_one_to_ten_outside_a_tenth_to_a_thousand(size, n):
    assert decade(size) == n


def test_a_scaled_label_puts_the_power_of_ten_into_the_unit():
    assert scaled_label("D_2", -2) == "D₂ (10⁻²/meV)"
    assert scaled_label("a_an_22", -3) == "α⁽ᵃⁿ⁾₂₂ (10⁻³/meV²)"
    assert scaled_label("j_an_22", -3) == "j⁽ᵃⁿ⁾₂₂ (10⁻³ ps)"
    assert scaled_label("T_eff_2", 4) == "T_eff (10⁴ K)"
    assert scaled_label("s_1", -2) == "s₁ (10⁻²)"
    assert scaled_label("J_2", 0) == label("J_2") == f"{symbol('J_2')} (1/meV)"
