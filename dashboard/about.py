"""The About panel: the model in a few lines, the conventions, the reference, the parameter table."""
import panel as pn

from dimer_core import DimerParams
from dimer_core.params import VECTORS, bounds_text

MODEL = """
### The model
Two sites, each with a localized spin **S**·m_a (S = 5/2), between two leads (semi-infinite chains,
hopping t_e). The sites are coupled by the spin–orbit hopping **T** = t0·1 + t·(t̂·τ); site 1 touches
the left lead (t_L), site 2 the right one (t_R). The bias sets μ_L,R = μ_F ± eV/2.

To second order in the s–d exchange Δ, the electrons act on spin 2 through the effective field
**B₂** = −∂E₀/∂m₂ + Δ s₂ t̂ + Δ²[J₂ m₁ + D₂ m₁ × t̂ + A₂(m₁·t̂) t̂ + K₂(m₂·t̂) t̂] + (ΔS)² χ₂₂ᴰᴹ m₂ × t̂,
the damping α = Δ²(a_i 1 + a_an t̂⊗t̂ + a_DM W) and the noise ⟨ξξ⟩ = Δ²(j_i 1 + j_an t̂⊗t̂) δ(t − t′),
all computed from nonequilibrium Green's functions. The free spin obeys the anisotropic stochastic LLG
ħS ṁ = m × (B + ξ − ħS α ṁ); k_B T_eff = j_i/(2ħS a_i).

*Fokker–Planck*: P(m) ∝ exp(−E(m)/k_B T_eff) (instant, approximate). *Langevin*: the stochastic LLG
itself, with every term (exact for the model; "paper's terms" drops the self-DMI torque and W damping).

Any other small junction (a chain, a ring, an STM tip over a molecule, or your own TOML model file):
[the junction page](./junction), on the same electronic engine (`dimer_core.junction`).

### Conventions
Energies meV, bias mV, time ps, temperature K. H_D uses −**T** (so the paper's closed forms
(A10)–(A15) hold). J < 0 is antiferromagnetic. T_eff < 0 marks energy injection (a_i < 0).
Maps: colour scales centred at zero; dotted lines |μ_L|, |μ_R| = resonance energies ≈ t0 ± t.

### Reference
S. Leiva M., S. A. Díaz and A. S. Núñez, *Origin of the magnetoelectric couplings in the spin dynamics
of molecular magnets*, Phys. Rev. B **107**, 094401 (2023). Details: docs/physics.md of this project.
"""


def parameter_table():
    """Markdown table of every parameter: unit, allowed range, default and meaning."""
    rows = ["| parameter | unit | allowed | default | meaning |", "|---|---|---|---|---|"]
    for name in DimerParams.param:
        if name == "name":
            continue
        p = DimerParams.param[name]
        doc, unit = p.doc.rsplit(" [", 1)
        default = ",".join(f"{x:g}" for x in p.default) if name in VECTORS else f"{p.default:g}"
        rows.append(f"| {name} | {unit.rstrip(']')} | {bounds_text(name)} | {default} | {doc} |")
    return "\n".join(rows)


def about_panel():
    return pn.Column(pn.pane.Markdown(MODEL, sizing_mode="stretch_width"),
                     pn.pane.Markdown("### Parameters\n" + parameter_table(), sizing_mode="stretch_width"),
                     sizing_mode="stretch_width")
