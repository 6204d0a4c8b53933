"""Mean first-passage and core-to-core dwell times of one free spin from its Fokker–Planck generator, by
linear finite elements on the sphere (docs/rates.md, "Mean first-passage times from the operator").

The backward generator 𝓛 of the one-spin stochastic LLG is the one :mod:`dimer_core.spins.fp_spectrum` projects
on spherical harmonics, in the same weak form (coefficients from
:func:`~dimer_core.spins.fp_spectrum.generator_coefficients`: the drift F − ½ K N q and D = K N Kᵀ, 1/ps)

    ⟨u, 𝓛 f⟩ = ∫ u (F − ½ K N q)·∇f dΩ − ½ ∫ ∇u·D ∇f dΩ.

Harmonics cannot hold a boundary condition on the rim of a core; piecewise-linear hat functions φ_i on a
triangulated sphere can.  The sphere is a subdivided icosahedron (:func:`icosphere`: 10·4^level + 2 nodes), its
vertices near the rim of each core moved onto the rim (so the discrete core is the cap up to O(h²)); on each flat
triangle the coefficients are taken at the centroid (projected on the sphere) and ∇φ is constant, so

    K_ij = Σ_triangles [A/3 · (F − ½ K N q)·∇φ_j − ½ A ∇φ_i·D ∇φ_j],   m_i = Σ_triangles A/3.

The mean time T_B(x) to reach a set B of nodes solves 𝓛T = −1 off B, T = 0 on B: K_{ūū} T = −m_ū on the other
nodes ū.  The harmonic measure — where a path started at x first enters B — is the matrix −K_{ūū}⁻¹ K_{ūB}; a
start distribution μ enters B with weights −K_{ūB}ᵀ K_{ūū}⁻ᵀ μ (one transposed solve).

Core-to-core dwells, as :func:`dimer_core.spins.rates.switching_rates` counts them: a dwell in basin A runs from
entering core A to entering core B.  Its start point is where the paths coming from B enter A; the entry
distributions μ_A on core A and μ_B on core B are the fixed point of the alternation μ_B = hit_B(μ_A),
μ_A = hit_A(μ_B) (power iteration), and the mean dwells are τ_A = Σ μ_A T_B, τ_B = Σ μ_B T_A (ps).  Nothing here
is sampled: these are the numbers Langevin counting converges to, for any energy, damping tensor, noise and bias
of one spin (the escape rates of :func:`~dimer_core.spins.fp_spectrum.spectral_rates` differ from 1/τ by
O(k_BT/ΔE) at a finite barrier: docs/rates.md).
"""
import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from .fp_spectrum import NotConverged, generator_coefficients

__all__ = ["icosphere", "core_mesh", "fe_generator", "FeGenerator", "mean_passage_times", "core_dwells", "CoreDwells",
           "MAX_LEVEL", "ENTRY_ITERATIONS"]

ENTRY_ITERATIONS = 100
"""Most rounds of the alternation core A → core B → core A that fix the entry distributions (a few suffice:
the entry point forgets where the path came from)."""

MAX_LEVEL = 7
"""Finest subdivision allowed: 163 842 nodes (level 7 with level 6: 8.4 s and 0.95 GB peak memory; level 8 would
take about four times that)."""


def icosphere(level):
    """(vertices (n, 3) unit vectors, triangles (t, 3) vertex indices, counter-clockwise seen from outside) of
    the icosahedron subdivided ``level`` times (each triangle into four, new vertices on the sphere):
    n = 10·4^level + 2, t = 20·4^level, edges of about 1.1/2^level rad."""
    if not (isinstance(level, (int, np.integer)) and 0 <= level <= MAX_LEVEL):
        raise ValueError(f"level = {level!r}: allowed: an integer 0 to {MAX_LEVEL}")
    g = (1.0 + math.sqrt(5.0)) / 2.0
    v = np.array([[-1, g, 0], [1, g, 0], [-1, -g, 0], [1, -g, 0], [0, -1, g], [0, 1, g], [0, -1, -g], [0, 1, -g],
                  [g, 0, -1], [g, 0, 1], [-g, 0, -1], [-g, 0, 1]], dtype=float)
    f = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
                  [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
                  [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]])
    v /= np.linalg.norm(v, axis=1)[:, None]
    for _ in range(int(level)):
        edges = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
        unique, inverse = np.unique(edges, axis=0, return_inverse=True)
        mid = v[unique[:, 0]] + v[unique[:, 1]]
        mid /= np.linalg.norm(mid, axis=1)[:, None]
        index = v.shape[0] + inverse.reshape(3, -1)  # midpoints of edges (0,1), (1,2), (2,0) of each face
        ab, bc, ca = index
        v = np.concatenate([v, mid])
        f = np.concatenate([np.stack([f[:, 0], ab, ca], axis=1), np.stack([f[:, 1], bc, ab], axis=1),
                            np.stack([f[:, 2], ca, bc], axis=1), np.stack([ab, bc, ca], axis=1)])
    return v, f


def core_mesh(level, centres, radius):
    """(vertices, triangles) of :func:`icosphere` with the vertices within 0.45 of an edge of the rim of a core
    (the cap of ``radius`` rad about each of the unit ``centres``) moved along their great circle onto the rim: the
    nodes with ``vertices @ centre >= cos(radius)`` then make the cap up to O(h²)."""
    vertices, triangles = icosphere(level)
    reach = 0.45 / 2 ** level
    out = vertices.copy()
    for c in np.asarray(centres, dtype=float):
        cos_angle = np.clip(out @ c, -1.0, 1.0)
        near = np.abs(np.arccos(cos_angle) - radius) < reach
        side = out[near] - cos_angle[near, None] * c
        side /= np.linalg.norm(side, axis=1)[:, None]
        out[near] = math.cos(radius) * c + math.sin(radius) * side
    return out, triangles


@dataclass(frozen=True)
class FeGenerator:
    """The finite-element backward generator on a triangulated sphere: ``matrix`` K (n × n, sparse, 1/ps),
    lumped ``mass`` m (n,) (sr), ``vertices`` (n, 3), ``triangles`` (t, 3) (module docstring)."""

    matrix: sparse.csr_matrix
    mass: np.ndarray
    vertices: np.ndarray
    triangles: np.ndarray


def fe_generator(spins, index, vertices, triangles, calculus="boltzmann"):
    """The :class:`FeGenerator` of bias ``index`` of a one-spin :class:`~dimer_core.spins.langevin.SpinModel` on
    the triangles (t, 3) of the unit ``vertices`` (n, 3) (module docstring)."""
    p = vertices[triangles]  # (t, 3 corners, 3)
    normal = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    n2 = np.einsum("ti,ti->t", normal, normal)
    area = 0.5 * np.sqrt(n2)
    # ∇λ_i = n × (opposite edge, counter-clockwise) / |n|²
    grad = np.stack([np.cross(normal, p[:, 2] - p[:, 1]), np.cross(normal, p[:, 0] - p[:, 2]),
                     np.cross(normal, p[:, 1] - p[:, 0])], axis=1) / n2[:, None, None]
    centroid = p.mean(axis=1)
    centroid /= np.linalg.norm(centroid, axis=1)[:, None]
    drift, diffusion = generator_coefficients(spins, index, centroid, calculus)
    along = np.einsum("tjk,tk->tj", grad, drift)  # (F − ½KNq)·∇φ_j
    spread = np.einsum("tik,tkl,tjl->tij", grad, diffusion, grad)  # ∇φ_i·D∇φ_j
    local = (area / 3.0)[:, None, None] * along[:, None, :] - 0.5 * area[:, None, None] * spread
    rows = np.repeat(triangles, 3, axis=1).ravel()
    cols = np.tile(triangles, (1, 3)).ravel()
    n = vertices.shape[0]
    matrix = sparse.csr_matrix((local.ravel(), (rows, cols)), shape=(n, n))
    mass = np.bincount(triangles.ravel(), weights=np.repeat(area / 3.0, 3), minlength=n)
    return FeGenerator(matrix=matrix, mass=mass, vertices=vertices, triangles=triangles)


class _Absorbing:
    """The generator with the nodes of ``target`` absorbing: mean times to reach them and where paths enter."""

    def __init__(self, fe, target):
        self.target = np.flatnonzero(target)
        self.free = np.flatnonzero(~target)
        rows = fe.matrix[self.free]
        self.lu = splu(rows[:, self.free].tocsc())
        self.into = rows[:, self.target].tocsc()
        self.times = np.zeros(fe.matrix.shape[0])
        self.times[self.free] = self.lu.solve(-fe.mass[self.free])

    def entry(self, start):
        """Weights (n,) on the target nodes where paths started with weights ``start`` (n, on free nodes)
        first enter the target."""
        y = self.lu.solve(start[self.free], trans="T")
        out = np.zeros(start.size)
        out[self.target] = -(self.into.T @ y)
        return out


def mean_passage_times(fe, target):
    """Mean time (ps) to reach the nodes where ``target`` (n,) is True, from every node of ``fe`` (0 on the
    target): 𝓛T = −1 off the target (module docstring)."""
    target = np.asarray(target, dtype=bool)
    if not target.any() or target.all():
        raise ValueError("target must hold some nodes and not all of them")
    return _Absorbing(fe, target).times


@dataclass(frozen=True)
class CoreDwells:
    """Mean core-to-core dwells of a bistable spin from the finite-element generator.

    dwell (2,): mean time (ps) from entering core i to entering the other core (the order of ``states``),
    extrapolated to zero mesh size from ``level`` − 1 and ``level`` (the error is O(h²): (4 T_level − T_level−1)/3);
    rates (2,) = 1/dwell (1/ps), what Langevin counting measures; change: the largest relative difference between
    the extrapolated dwells and those of ``level`` (the size of the extrapolation: an error estimate for
    ``level``'s dwells; the extrapolated ones are closer: docs/rates.md, "Mean first-passage times"); level, nodes: the finer mesh; negative_entry: the most negative entry weight (a finite-element
    artefact, small where the mesh resolves the drift)."""

    dwell: np.ndarray
    rates: np.ndarray
    change: float
    level: int
    nodes: int
    negative_entry: float


def _dwells(spins, index, states, core, level, calculus):
    vertices, triangles = core_mesh(level, states, core)
    fe = fe_generator(spins, index, vertices, triangles, calculus)
    inside = [vertices @ s >= math.cos(core) - 1e-12 for s in states]
    absorbing = [_Absorbing(fe, c) for c in inside]
    entry = inside[0] / inside[0].sum()  # entering core 0 anywhere, to start the alternation
    for _ in range(ENTRY_ITERATIONS):
        new = absorbing[0].entry(absorbing[1].entry(entry))
        moved = np.abs(new - entry).sum()
        entry = new
        if moved < 1e-10:
            break
    entries = [entry, absorbing[1].entry(entry)]
    dwell = np.array([entries[0] @ absorbing[1].times, entries[1] @ absorbing[0].times])
    negative = float(min(entries[0].min(), entries[1].min(), 0.0))
    return dwell, vertices.shape[0], negative


def core_dwells(spins, index, states, core=0.5, level=6, tolerance=2e-2, calculus="boltzmann"):
    """Mean core-to-core dwells (ps) between the two stable ``states`` (2, 3) of a one-spin
    :class:`~dimer_core.spins.langevin.SpinModel` at bias ``index``, cores of ``core`` rad: a
    :class:`CoreDwells` (module docstring).

    Computed on the icosphere of ``level`` and of ``level`` − 1 and extrapolated; refused
    (:class:`~dimer_core.spins.fp_spectrum.NotConverged`, a ValueError) when the extrapolation moves a dwell by more
    than ``tolerance`` (relative) from the finer mesh (raise the level).  Refuses overlapping cores and levels
    outside 2 … :data:`MAX_LEVEL`.
    """
    states = np.asarray(states, dtype=float)
    if states.shape != (2, 3):
        raise ValueError(f"states must be two unit vectors, shape (2, 3); got {states.shape}")
    states = states / np.linalg.norm(states, axis=1)[:, None]
    if not 0 < core < math.pi / 2:
        raise ValueError(f"core = {core!r} rad: allowed: 0 < core < π/2")
    gap = math.acos(float(np.clip(states[0] @ states[1], -1.0, 1.0)))
    if gap <= 2.0 * core + 0.05:
        raise ValueError(f"the cores of {core:g} rad about the two states ({gap:.3g} rad apart) overlap or touch; "
                         f"allowed: core < {max(gap - 0.05, 0.0) / 2:.3g} rad")
    if not (isinstance(level, (int, np.integer)) and 2 <= level <= MAX_LEVEL):
        raise ValueError(f"level = {level!r}: allowed: an integer 2 to {MAX_LEVEL}")
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance = {tolerance!r}: allowed: 0 < tolerance < 1")
    fine, nodes, negative = _dwells(spins, index, states, core, level, calculus)
    coarse, _, _ = _dwells(spins, index, states, core, level - 1, calculus)
    dwell = (4.0 * fine - coarse) / 3.0
    change = float(np.max(np.abs(dwell - fine) / dwell))
    if not change <= tolerance:
        raise NotConverged(f"level = {level} is too coarse for this spin: the dwells moved by {change:.2g} "
                           f"(relative) from level {level - 1}; allowed: <= tolerance = {tolerance:g}; raise level",
                           change)
    return CoreDwells(dwell=dwell, rates=1.0 / dwell, change=change, level=int(level), nodes=int(nodes),
                      negative_entry=negative)
