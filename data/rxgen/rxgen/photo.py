"""Turn a clean page render into a phone photo of the paper lying on a table:
rotation and perspective, table texture, drop shadow, uneven light, a cast shadow,
colour cast, blur, sensor noise; saved by the caller as JPEG."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FRAME = (1224, 1632)  # portrait phone photo, 3:4


def _smooth_noise(rng: np.random.Generator, size: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Low-frequency noise in [-1, 1] of `size` (w, h), from a `cells` grid upsampled bicubically."""
    grid = rng.uniform(0, 255, (cells[1], cells[0])).astype(np.uint8)
    img = Image.fromarray(grid, "L").resize(size, Image.Resampling.BICUBIC)
    return np.asarray(img, np.float32) / 127.5 - 1.0


def table(rng: np.random.Generator, size: tuple[int, int]) -> tuple[np.ndarray, str]:
    w, h = size
    kind = rng.choice(["wood", "wood", "laminate", "fabric", "stone"])
    if kind == "wood":
        base = np.array([rng.uniform(110, 175), rng.uniform(70, 115), rng.uniform(40, 70)], np.float32)
        grain = _smooth_noise(rng, size, (6, int(rng.integers(60, 140))))          # streaks along x
        rings = np.sin(np.linspace(0, rng.uniform(20, 60), h, dtype=np.float32))[:, None] * _smooth_noise(rng, size, (4, 4))
        shade = 1 + 0.12 * grain + 0.06 * rings
    elif kind == "laminate":
        base = np.full(3, rng.uniform(175, 225), np.float32) * np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.92, 1.0)], np.float32)
        shade = 1 + 0.04 * _smooth_noise(rng, size, (5, 7))
    elif kind == "fabric":
        base = rng.choice([np.array([45, 50, 70]), np.array([60, 60, 62]), np.array([35, 70, 60]), np.array([90, 40, 40])]).astype(np.float32)
        shade = 1 + 0.08 * _smooth_noise(rng, size, (8, 10)) + 0.06 * rng.standard_normal((h, w)).astype(np.float32)
    else:
        base = np.full(3, rng.uniform(150, 200), np.float32)
        shade = 1 + 0.1 * _smooth_noise(rng, size, (9, 12)) + 0.05 * _smooth_noise(rng, size, (30, 40))
    img = base[None, None, :] * shade[:, :, None]
    return img, str(kind)


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients (a..h) mapping dst points to src points, as PIL's PERSPECTIVE transform wants."""
    rows, rhs = [], []
    for (u, v), (x, y) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def _page_quad(rng: np.random.Generator, page: tuple[int, int], frame: tuple[int, int]) -> tuple[list, float, float]:
    pw, ph = page
    fw, fh = frame
    angle = float(rng.uniform(2, 6) * rng.choice([-1, 1]))
    fill = float(rng.uniform(0.74, 0.9))
    for _ in range(20):
        scale = min(fw * fill / pw, fh * fill / ph)
        w, h = pw * scale, ph * scale
        cx = fw / 2 + rng.uniform(-0.04, 0.04) * fw
        cy = fh / 2 + rng.uniform(-0.03, 0.03) * fh
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        # keystone: the edge further from the camera looks shorter
        k = rng.uniform(0.0, 0.07)
        edge = rng.choice(["top", "bottom", "left", "right"])
        if edge == "top":
            corners[0, 0] += k * w / 2; corners[1, 0] -= k * w / 2
        elif edge == "bottom":
            corners[3, 0] += k * w / 2; corners[2, 0] -= k * w / 2
        elif edge == "left":
            corners[0, 1] += k * h / 2; corners[3, 1] -= k * h / 2
        else:
            corners[1, 1] += k * h / 2; corners[2, 1] -= k * h / 2
        corners += rng.uniform(-0.008, 0.008, corners.shape) * np.array([w, h])
        a = math.radians(angle)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        quad = corners @ rot.T + np.array([cx, cy])
        if quad[:, 0].min() > 8 and quad[:, 1].min() > 8 and quad[:, 0].max() < fw - 8 and quad[:, 1].max() < fh - 8:
            return [tuple(map(float, q)) for q in quad], angle, float(k)
        fill *= 0.96
    raise RuntimeError("could not place the page in the frame")


def photograph(page: Image.Image, rng: np.random.Generator, frame: tuple[int, int] = FRAME) -> tuple[Image.Image, dict]:
    fw, fh = frame
    pw, ph = page.size
    # paper: faint fibre texture
    paper = np.asarray(page, np.float32)
    paper = paper * (1 + 0.006 * _smooth_noise(rng, page.size, (80, 110))[:, :, None])
    paper_img = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "RGB")

    quad, angle, keystone = _page_quad(rng, page.size, frame)
    coeffs = _homography([(0, 0), (pw, 0), (pw, ph), (0, ph)], quad)
    edge = tuple(int(v) for v in np.median(paper.reshape(-1, 3)[:: 97], axis=0))
    warped = paper_img.transform(frame, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=edge)
    mask = Image.new("L", frame, 0)
    ImageDraw.Draw(mask).polygon(quad, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(0.8))

    bg, table_kind = table(rng, frame)
    # drop shadow under the sheet
    off = rng.uniform(4, 14, 2) * rng.choice([-1, 1], 2)
    shadow = Image.new("L", frame, 0)
    ImageDraw.Draw(shadow).polygon([(x + off[0], y + off[1]) for x, y in quad], fill=255)
    shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(float(rng.uniform(8, 18)))), np.float32) / 255
    bg *= (1 - 0.45 * shadow)[:, :, None]

    m = np.asarray(mask, np.float32)[:, :, None] / 255
    img = bg * (1 - m) + np.asarray(warped, np.float32) * m

    # uneven light: a linear gradient in a random direction plus a vignette
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    theta = rng.uniform(0, 2 * math.pi)
    grad = ((xx / fw - 0.5) * math.cos(theta) + (yy / fh - 0.5) * math.sin(theta))
    light = 1 + rng.uniform(0.1, 0.3) * grad
    r2 = ((xx - fw * rng.uniform(0.35, 0.65)) / fw) ** 2 + ((yy - fh * rng.uniform(0.35, 0.65)) / fh) ** 2
    light *= 1 - rng.uniform(0.1, 0.3) * r2 / 0.5
    light *= rng.uniform(0.92, 1.04)

    # cast shadow (a hand or the phone) from one side
    cast = Image.new("L", frame, 0)
    side = int(rng.integers(4))
    depth = rng.uniform(0.15, 0.4)
    a, b = sorted(rng.uniform(0, 1, 2))
    if side == 0:
        poly = [(a * fw, 0), (b * fw + 200, 0), (b * fw, depth * fh), (a * fw - 100, depth * fh * 0.6)]
    elif side == 1:
        poly = [(fw, a * fh), (fw, b * fh + 200), (fw - depth * fw, b * fh), (fw - depth * fw * 0.6, a * fh)]
    elif side == 2:
        poly = [(a * fw, fh), (b * fw + 200, fh), (b * fw, fh - depth * fh), (a * fw, fh - depth * fh * 0.5)]
    else:
        poly = [(0, a * fh), (0, b * fh + 200), (depth * fw, b * fh), (depth * fw * 0.5, a * fh)]
    ImageDraw.Draw(cast).polygon(poly, fill=255)
    cast_a = np.asarray(cast.filter(ImageFilter.GaussianBlur(float(rng.uniform(25, 60)))), np.float32) / 255
    strength = rng.uniform(0.2, 0.42)
    light *= 1 - strength * cast_a

    tint = np.array([1 + rng.uniform(-0.03, 0.06), 1.0, 1 + rng.uniform(-0.1, 0.03)], np.float32)
    img = img * light[:, :, None] * tint[None, None, :]

    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    blur = float(rng.uniform(0.5, 1.3))
    out = out.filter(ImageFilter.GaussianBlur(blur))
    motion = 0.0
    if rng.random() < 0.15:  # slight hand shake
        motion = float(rng.uniform(1.0, 2.5))
        direction = rng.uniform(0, math.pi)
        arr = np.asarray(out, np.float32)
        acc = np.zeros_like(arr)
        steps = 5
        for s in range(steps):
            t = (s / (steps - 1) - 0.5) * motion
            acc += np.roll(arr, (round(t * math.sin(direction)), round(t * math.cos(direction))), axis=(0, 1))
        out = Image.fromarray(np.clip(acc / steps, 0, 255).astype(np.uint8), "RGB")
    sigma = float(rng.uniform(2.0, 6.0))
    arr = np.asarray(out, np.float32)
    arr = arr + rng.normal(0, sigma, (fh, fw, 1)).astype(np.float32) + rng.normal(0, sigma * 0.4, arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    info = {"frame": [fw, fh], "page_corners": [[round(x, 1), round(y, 1)] for x, y in quad],
            "rotation_deg": round(angle, 2), "keystone": round(keystone, 3), "table": table_kind,
            "blur_px": round(blur, 2), "motion_px": round(motion, 2), "noise_sigma": round(sigma, 2),
            "cast_shadow": round(float(strength), 2)}
    return out, info
