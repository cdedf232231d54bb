"""The geometry the surface views draw, computed from a :class:`~gradviz.core.surfaces.SurfaceGrid`:
the −∇f field of the map, the balls (lit spheres) and their −∇f arrows in 3D and in 2D, and the
trails as line segments. Plain numpy, so it is tested without Qt and the panels only hand these
arrays to their items.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from gradviz.core.surfaces import Surface, SurfaceGrid, one_thread


def descent_field(surface: Surface, n: int = 15) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points of an n×n grid (cell centres) and −∇f there, by one vectorized backward.

    Returns ``(x, y, -grad)`` with shapes ``(n*n,)``, ``(n*n,)``, ``(n*n, 2)``.
    """
    d = surface.domain
    hx, hy = (d.x1 - d.x0) / n, (d.y1 - d.y0) / n
    xs = torch.linspace(d.x0 + hx / 2, d.x1 - hx / 2, n, dtype=torch.float32)
    ys = torch.linspace(d.y0 + hy / 2, d.y1 - hy / 2, n, dtype=torch.float32)
    gx, gy = torch.meshgrid(xs, ys, indexing="ij")
    gx = gx.reshape(-1).clone().requires_grad_(True)
    gy = gy.reshape(-1).clone().requires_grad_(True)
    with one_thread():
        f = surface.fn(gx, gy)
        dfx, dfy = torch.autograd.grad(f.sum(), (gx, gy), allow_unused=True)
    dfx = torch.zeros_like(gx) if dfx is None else dfx
    dfy = torch.zeros_like(gy) if dfy is None else dfy
    neg = -torch.stack([dfx, dfy], dim=-1)
    return gx.detach().numpy(), gy.detach().numpy(), neg.detach().numpy()


def arrow_field_segments(surface: Surface, n: int = 15) -> np.ndarray:
    """The −∇f field as 2D arrows (shaft and two head strokes each), ``(m, 2, 2)`` segments in
    data coordinates. Lengths grow with |∇f| (square-root scaled so small slopes still show)."""
    x, y, v = descent_field(surface, n)
    d = surface.domain
    hx, hy = (d.x1 - d.x0) / n, (d.y1 - d.y0) / n
    # Work in cell units so arrows look right on non-square domains.
    u = np.stack([v[:, 0] / hx, v[:, 1] / hy], axis=-1).astype(np.float64)
    mag = np.linalg.norm(u, axis=-1)
    ok = np.isfinite(mag) & (mag > 0)
    if not ok.any():
        return np.zeros((0, 2, 2))
    x, y, u, mag = x[ok], y[ok], u[ok], mag[ok]
    length = 0.85 * np.sqrt(mag / mag.max())
    direction = u / mag[:, None]
    tail = np.stack([x / hx, y / hy], axis=-1) - 0.5 * length[:, None] * direction
    tip = tail + length[:, None] * direction
    head = 0.3 * length[:, None]
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=-1)
    left = tip - head * direction + 0.5 * head * normal
    right = tip - head * direction - 0.5 * head * normal
    segs = np.concatenate([np.stack([tail, tip], 1), np.stack([tip, left], 1),
                           np.stack([tip, right], 1)])
    return segs * np.array([hx, hy])


def sphere_mesh(radius: float, rows: int = 14, cols: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of a UV sphere centred at the origin."""
    theta = np.linspace(0.0, np.pi, rows + 1)
    phi = np.linspace(0.0, 2 * np.pi, cols, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    verts = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], -1) * radius
    verts = verts.reshape(-1, 3)
    faces = []
    for r in range(rows):
        a = r * cols + np.arange(cols)
        b = r * cols + (np.arange(cols) + 1) % cols
        c_, d_ = a + cols, b + cols
        faces.append(np.stack([a, b, d_], -1))
        faces.append(np.stack([a, d_, c_], -1))
    return verts.astype(np.float32), np.concatenate(faces).astype(np.uint32)


@functools.lru_cache(maxsize=4)
def _arrow_template(segments: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ring's cosines and sines and the faces of an arrow of ``segments`` sides (read-only):
    they never change, and the arrow is rebuilt on every step of the race."""
    ang = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    s = segments
    k = np.arange(s)
    k1 = (k + 1) % s
    base_c, tip = 3 * s, 3 * s + 1
    faces = np.concatenate([
        np.stack([k, k1, s + k1], -1), np.stack([k, s + k1, s + k], -1),  # shaft
        np.stack([np.full(s, base_c), k1, k], -1),  # tail cap
        np.stack([s + k, s + k1, 2 * s + k1], -1), np.stack([s + k, 2 * s + k1, 2 * s + k], -1),
        np.stack([2 * s + k, 2 * s + k1, np.full(s, tip)], -1),  # cone
    ]).astype(np.uint32)
    cos, sin = np.cos(ang)[:, None], np.sin(ang)[:, None]
    for a in (cos, sin, faces):
        a.flags.writeable = False
    return cos, sin, faces


def arrow_mesh(start: np.ndarray, end: np.ndarray, shaft_radius: float, head_radius: float,
               head_length: float, segments: int = 14) -> tuple[np.ndarray, np.ndarray]:
    """A solid 3D arrow from ``start`` to ``end``: a cylinder shaft and a cone head.

    Returns ``(vertices (v, 3), faces (m, 3))`` (the faces read-only); empty arrays when the
    arrow has no length.
    """
    start = np.asarray(start, np.float64)
    end = np.asarray(end, np.float64)
    axis = end - start
    length = math.sqrt(float(axis @ axis))
    if not math.isfinite(length) or length < 1e-9:
        return np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32)
    w = axis / length
    # u ⟂ w (w × helper, normalised) and v = w × u span the rings' plane.
    if abs(w[2]) < 0.9:
        u = np.array([w[1], -w[0], 0.0])
    else:
        u = np.array([0.0, w[2], -w[1]])
    u /= math.sqrt(float(u @ u))
    v = np.array([w[1] * u[2] - w[2] * u[1], w[2] * u[0] - w[0] * u[2],
                  w[0] * u[1] - w[1] * u[0]])
    head_length = min(head_length, 0.6 * length)
    neck = end - w * head_length
    cos, sin, faces = _arrow_template(segments)
    ring = cos * u + sin * v  # (s, 3)
    s = segments
    verts = np.empty((3 * s + 2, 3), np.float32)
    verts[:s] = start + shaft_radius * ring
    verts[s:2 * s] = neck + shaft_radius * ring
    verts[2 * s:3 * s] = neck + head_radius * ring
    verts[3 * s] = start
    verts[3 * s + 1] = end
    return verts, faces


@dataclass(frozen=True)
class BallPose:
    """Where a view draws one ball and its −∇f arrow, in scene coordinates."""

    centre: np.ndarray  # (3,)
    arrow_start: np.ndarray  # (3,)
    arrow_end: np.ndarray  # (3,), equal to arrow_start when the gradient vanishes


BALL_RADIUS = 0.065


def ball_pose(grid: SurfaceGrid, x: float, y: float, f: float, dfx: float, dfy: float,
              radius: float = BALL_RADIUS) -> BallPose:
    """The ball resting on the surface at (x, y) and the −∇f arrow leaving it.

    The arrow lies in the surface's tangent plane (so it points downhill in 3D too); its length
    grows with |∇f| and saturates, so it shrinks as the ball settles in a minimum.
    """
    d = grid.surface.domain
    (hx, hy) = d.half
    sx, sy = d.normalised(x, y)
    h = float(grid.height_of(f))
    centre = np.array([float(sx), float(sy), h + radius])
    gx, gy = -dfx, -dfy
    mag = math.hypot(gx, gy)
    if not (math.isfinite(mag) and mag > 0):
        return BallPose(centre, centre.copy(), centre.copy())
    # The move (dx, dy) = -∇f/|∇f| in data units, then in scene units; height change along it.
    dx, dy = gx / mag, gy / mag
    slope = grid.height_slope(f)
    dir3 = np.array([dx / hx, dy / hy, slope * (dfx * dx + dfy * dy)])
    dir3 /= np.linalg.norm(dir3)
    typical = (grid.hi - grid.lo) / max(d.x1 - d.x0, d.y1 - d.y0)
    length = 0.12 + 0.33 * math.tanh(mag / max(typical, 1e-12))
    start = centre + dir3 * radius * 0.9
    return BallPose(centre, start, start + dir3 * length)


def project_point(matrix: np.ndarray, point: np.ndarray, width: float,
                  height: float) -> tuple[float, float]:
    """Pixel (column, row from the top) of a scene point under a 4×4 projection·view matrix."""
    p = np.asarray(matrix, np.float64) @ np.array([*point, 1.0])
    ndc = p[:3] / p[3]
    return (ndc[0] + 1) / 2 * width, (1 - ndc[1]) / 2 * height


def flat_arrow(grid: SurfaceGrid, x: float, y: float, dfx: float, dfy: float) -> np.ndarray:
    """The −∇f arrow at (x, y) for the top view: ``(6, 2)`` points, three segments (shaft and
    head strokes) in data coordinates; empty where the gradient vanishes or is not finite."""
    d = grid.surface.domain
    hx, hy = d.half
    u = np.array([-dfx / hx, -dfy / hy], np.float64)  # in scene units: right on any domain
    mag_data = math.hypot(dfx, dfy)
    norm = float(np.linalg.norm(u))
    if not (math.isfinite(norm) and norm > 0):
        return np.zeros((0, 2))
    u /= norm
    typical = (grid.hi - grid.lo) / max(d.x1 - d.x0, d.y1 - d.y0)
    length = 0.1 + 0.25 * math.tanh(mag_data / max(typical, 1e-12))
    tail = np.array([(x - d.centre[0]) / hx, (y - d.centre[1]) / hy])
    tip = tail + length * u
    normal = np.array([-u[1], u[0]])
    head = 0.35 * length
    pts = np.array([tail, tip, tip, tip - head * u + 0.5 * head * normal,
                    tip, tip - head * u - 0.5 * head * normal])
    return pts * np.array([hx, hy]) + np.array(d.centre)


def _lit(colour: tuple[float, float, float, float], normals: np.ndarray,
         light: tuple[float, float, float] = (-0.45, -0.55, 0.75)) -> np.ndarray:
    """Per-vertex RGBA of a solid lit from ``light``: ambient + diffuse + a small highlight."""
    lvec = np.asarray(light, np.float64)
    lvec /= np.linalg.norm(lvec)
    d = np.clip(normals @ lvec, 0.0, 1.0)
    rgb = np.asarray(colour[:3], np.float64)
    shade = rgb[None, :] * (0.35 + 0.65 * d)[:, None] + 0.35 * (d ** 24)[:, None]
    out = np.empty((len(normals), 4), np.float32)
    out[:, :3] = np.clip(shade, 0.0, 1.0)
    out[:, 3] = colour[3]
    return out


@functools.lru_cache(maxsize=16)
def _lit_sphere(radius: float, colour: tuple[float, float, float, float]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sphere and its lit vertex colours, built once per radius and colour (read-only)."""
    verts, faces = sphere_mesh(radius)
    normals = verts / np.linalg.norm(verts, axis=1, keepdims=True)
    cols = _lit(colour, normals)
    for a in (verts, faces, cols):
        a.flags.writeable = False
    return verts, faces, cols


def balls_mesh(poses: list[BallPose | None], colours: list[tuple[float, float, float, float]],
               arrow: bool, arrow_colour: tuple[float, float, float, float],
               radius: float = BALL_RADIUS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ball (a lit sphere) and, with ``arrow``, its −∇f arrow (flat colour) as ONE mesh:
    ``(vertices, faces, vertex colours)``. One item draws them all, so a frame pays the
    renderer's per-item cost once however many balls race."""
    verts, faces, cols = [], [], []
    count = 0
    for pose, colour in zip(poses, colours, strict=True):
        if pose is None:
            continue
        sphere_v, sphere_f, sphere_c = _lit_sphere(float(radius), tuple(float(c) for c in colour))
        verts.append(sphere_v + pose.centre.astype(np.float32))
        faces.append(sphere_f + count)
        cols.append(sphere_c)
        count += len(sphere_v)
        if arrow:
            av, af = arrow_mesh(pose.arrow_start, pose.arrow_end, shaft_radius=0.014,
                                head_radius=0.04, head_length=0.09)
            if len(av):
                verts.append(av)
                faces.append(af + count)
                cols.append(np.tile(np.asarray(arrow_colour, np.float32), (len(av), 1)))
                count += len(av)
    if not verts:
        return (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32),
                np.zeros((0, 4), np.float32))
    return (np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.uint32),
            np.concatenate(cols))


def trail_segments(trails: list[np.ndarray], colours: list[tuple[float, float, float, float]]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """All balls' trails as segment pairs ``(2m, 3)`` with per-vertex colours ``(2m, 4)``, for
    one line item in "lines" mode."""
    pos, cols = [], []
    for trail, colour in zip(trails, colours, strict=True):
        if len(trail) < 2:
            continue
        seg = np.stack([trail[:-1], trail[1:]], axis=1).reshape(-1, 3)
        pos.append(seg)
        cols.append(np.tile(np.asarray(colour, np.float32), (len(seg), 1)))
    if not pos:
        return np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32)
    return np.concatenate(pos).astype(np.float32), np.concatenate(cols)
