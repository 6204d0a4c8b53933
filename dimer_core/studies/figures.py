"""The paper's figures as PNG files (matplotlib; used by ``dimer-core figures``).

* Figs. 2, 6 (weak SOC) and 7 (strong SOC): coupling maps over mu_F × V with a
  diverging colour scale centred at zero and the lines |mu_L|, |mu_R| = t0 ± t.
* Figs. 4 (weak) and 5 (strong): Omega(V) by Fokker–Planck (top) and Langevin
  (middle, with error bars; full model and the paper's terms), and the interaction
  comparison (bottom).

Plotting only: every number comes from :mod:`dimer_core.couplings.dimer` and
:mod:`dimer_core.studies.sweeps`.
"""
import io
import os

import numpy as np

from ..couplings.dimer import QUANTITIES, guide_levels, maps
from ..params import preset
from .sweeps import fp_sweep, langevin_sweep

MAP_MU_F = np.linspace(-6.0, 6.0, 241)
MAP_V = np.linspace(-12.0, 12.0, 241)
SWEEP_V = np.linspace(-5.0, 5.0, 41)

MAP_FIGURES = {
    "fig2": ("weak-soc", ["J_2", "D_2", "a_i_22", "j_i_22"]),
    "fig6": ("weak-soc", ["A_2", "K_2", "a_an_22", "j_an_22"]),
    "fig7": ("strong-soc", ["J_2", "D_2", "a_i_22", "j_i_22", "A_2", "K_2", "a_an_22", "j_an_22"]),
}
SWEEP_FIGURES = {"fig4": "weak-soc", "fig5": "strong-soc"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(p):
    return (f"t = {p.t:g}, t0 = {p.t0:g}, tL = {p.tL:g}, tR = {p.tR:g}, te = {p.te:g} meV, "
            f"T = {p.T:g} K, S = {p.S:g}, that = ({', '.join(f'{x:.2g}' for x in p.that)})")


def guide_lines(ax, p, V):
    """Draw mu_L, mu_R = each device resonance (:func:`dimer_core.couplings.dimer.guide_levels`; ±(t0 ± t) for the
    paper's symmetric device) on a (V, mu_F) axis."""
    for level in guide_levels(p):
        ax.plot(V, level - V / 2, color="k", lw=0.5, ls=":", alpha=0.6)
        ax.plot(V, level + V / 2, color="k", lw=0.5, ls=":", alpha=0.6)


def draw_maps(ds, p, keys, title):
    """A matplotlib Figure of the maps ``keys`` of dataset ``ds`` (dims mu_F, V)."""
    plt = _plt()
    mu_F, V = ds.mu_F.values, ds.V.values
    ncol = min(4, len(keys))
    nrow = int(np.ceil(len(keys) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.6 * nrow), squeeze=False)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, keys):
        z = ds[key].values
        lim = float(np.abs(z).max()) or 1.0
        im = ax.pcolormesh(V, mu_F, z, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto", rasterized=True)
        guide_lines(ax, p, V)
        ax.plot([p.V], [p.mu_F], marker="x", color="lime", ms=8, mew=2)
        ax.set_xlim(V[0], V[-1])
        ax.set_ylim(mu_F[0], mu_F[-1])
        ax.set_title(key)
        ax.set_xlabel("V (mV)")
        ax.set_ylabel(r"$\mu_F$ (meV)")
        fig.colorbar(im, ax=ax, label=f"{key} ({QUANTITIES[key][0]})")
    fig.suptitle(f"{title} — {_label(p)}", fontsize=9)
    fig.tight_layout()
    return fig


def draw_sweep(fp, p, title, langevin=None, paper=None):
    """A Figure of Omega(V) by Fokker–Planck, optionally Langevin points, and the interaction comparison."""
    plt = _plt()
    rows = 3 if langevin is not None else 2
    fig, axes = plt.subplots(rows, 1, figsize=(7.5, 3.2 * rows), sharex=True)
    colors = {"x": "tab:blue", "y": "tab:orange", "z": "tab:green"}
    V = fp.V.values
    for x, c in colors.items():
        axes[0].plot(V, fp[f"Omega_{x}"], color=c, label=rf"$\Omega_{x}$")
    axes[0].set_ylabel(r"$\Omega$ (Fokker–Planck)")
    if langevin is not None:
        for x, c in colors.items():
            axes[1].errorbar(langevin.V, langevin[f"Omega_{x}"], yerr=langevin[f"Omega_{x}_err"], color=c,
                             marker="o", ms=3, lw=1, label=rf"$\Omega_{x}$ full model")
            if paper is not None:
                axes[1].plot(paper.V, paper[f"Omega_{x}"], color=c, ls="--", lw=1, label=rf"$\Omega_{x}$ paper's terms")
        axes[1].set_ylabel(r"$\Omega$ (Langevin)")
        axes[1].set_ylim(-1.05, 1.05)
    for key, lab in (("E_J", r"$\Delta^2 J_2$"), ("E_D", r"$\Delta^2 D_2$"), ("E_A", r"$\Delta^2 A_2$"),
                     ("E_K", r"$\Delta^2 K_2$"), ("E_DMself", r"$(\Delta S)^2\chi_{22}^{DM}$"),
                     ("kT_eff", r"$k_B T_{eff}$")):
        axes[-1].plot(V, fp[key], label=lab, ls="--" if key == "kT_eff" else "-")
    axes[-1].set_ylabel("energy (meV)")
    axes[-1].set_xlabel("V (mV)")
    for ax in axes:
        ax.axhline(0, color="k", lw=0.5)
        ax.axvline(p.V, color="gray", lw=0.5)
        ax.legend(fontsize=7, ncol=3)
        ax.grid(alpha=0.3)
    axes[0].set_ylim(-1.05, 1.05)
    fig.suptitle(f"{title}\n{_label(p)}", fontsize=8)
    fig.tight_layout()
    return fig


def png_metadata():
    """PNG text chunks of every figure this project writes: ``Software`` names dimer_core and its version."""
    from .. import __version__
    import matplotlib

    return {"Software": f"dimer_core {__version__} (matplotlib {matplotlib.__version__})"}


def png_bytes(fig, dpi=110):
    """Render and close a Figure; return the PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=png_metadata())
    _plt().close(fig)
    return buf.getvalue()


def _save(fig, path):
    with open(path, "wb") as f:
        f.write(png_bytes(fig))
    return path


def map_figure(name, out_dir, mu_F=MAP_MU_F, V=MAP_V):
    """Write the map figure ``name`` (fig2, fig6, fig7) as PNG; return its path."""
    preset_name, keys = MAP_FIGURES[name]
    p = preset(preset_name)
    fig = draw_maps(maps(p, mu_F, V), p, keys, f"{name}: {preset_name}")
    return _save(fig, os.path.join(out_dir, f"{name}_{preset_name}.png"))


def sweep_figure(name, out_dir, V=SWEEP_V, n_realizations=16, seed=0, progress=None):
    """Write Fig. 4 or 5 (Omega by FP, by Langevin, interaction comparison) as PNG; return its path."""
    preset_name = SWEEP_FIGURES[name]
    p = preset(preset_name)
    lg = langevin_sweep(p, V, n_realizations=n_realizations, seed=seed, progress=progress)
    paper = langevin_sweep(p, V, n_realizations=n_realizations, seed=seed, terms="paper")
    title = (f"{name}: {preset_name}, mu_F = {p.mu_F:g} meV, Delta = {p.Delta:g} meV, m1 = z\nLangevin: "
             f"{n_realizations} realizations, dt = {lg.attrs['dt_ps']:.3g} ps, average {lg.attrs['t_average_ps']:.0f} ps"
             "; dots: full model, dashed: the paper's terms")
    fig = draw_sweep(fp_sweep(p, V), p, title, langevin=lg, paper=paper)
    return _save(fig, os.path.join(out_dir, f"{name}_{preset_name}.png"))


def all_figures(out_dir, progress=None):
    """Write Figs. 2, 4, 5, 6, 7; return the list of paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [map_figure(name, out_dir) for name in MAP_FIGURES]
    paths += [sweep_figure(name, out_dir, progress=progress) for name in SWEEP_FIGURES]
    return sorted(paths)

__all__ = ["MAP_MU_F", "MAP_V", "SWEEP_V", "MAP_FIGURES", "SWEEP_FIGURES", "guide_lines", "draw_maps", "draw_sweep",
           "png_metadata", "png_bytes", "map_figure", "sweep_figure", "all_figures"]
