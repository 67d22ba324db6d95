"""Benchmark: which beat is this point in? (issue 2, item 13; goal >= 50,000 points/s on one core)

Builds BEATS irregular beats (Voronoi cells of random points over ~80 x 80 km around Timergara,
edges split and bent by one smooth warp so neighbours still share their edges exactly; about 36
vertices each, 12 to 66), then looks up POINTS random points (seeded; ~1 in 10 falls outside every beat):
one at a time through BeatIndex.lookup (the web path), in one batch through lookup_many, and one
at a time through the plain STRtree query that lookup replaced (for comparison). Prints points
per second, build time and peak memory, and writes bench/results/beat_lookup.json.

Run: .venv/bin/python bench/beat_lookup.py [--beats 2000] [--points 200000] [--seed 7]
No database or Django settings needed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from shapely.ops import polygonize, unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rabta.lib.geo import BeatIndex  # noqa: E402

REGION = (71.40, 34.45, 72.30, 35.20)  # lon/lat box around Timergara (34.83 N, 71.84 E)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {0})
            return "pinned to CPU 0 (os.sched_setaffinity)"
        except OSError as exc:
            return f"not pinned ({exc})"
    return "not pinned (os.sched_setaffinity is not available here)"


def make_beats(count: int, rng: np.random.Generator) -> list[shapely.Polygon]:
    """Irregular beats that tile the region: no overlaps, shared edges identical on both sides."""
    x0, y0, x1, y1 = REGION
    region = shapely.box(x0, y0, x1, y1)
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, count), rng.uniform(y0, y1, count)]))
    edges = shapely.voronoi_polygons(seeds, extend_to=region, only_edges=True)
    # Node the edge network with the region's outline, then bend it: every vertex moves by the same
    # smooth field, so the cells rebuilt from it still meet edge to edge.
    network = unary_union([shapely.intersection(edges, region), region.boundary])
    step = math.sqrt((x1 - x0) * (y1 - y0) / count) / 8
    network = shapely.segmentize(network, step)
    amp, k = step * 0.6, 2 * math.pi / (step * 7)

    def warp(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack(
            [
                x + amp * np.sin(k * y + 1.3) * np.cos(0.7 * k * x),
                y + amp * np.sin(k * x + 0.4) * np.cos(0.8 * k * y),
            ]
        )

    cells = list(polygonize(shapely.transform(network, warp)))
    if len(cells) != count or not all(cell.is_valid for cell in cells):
        raise SystemExit(f"generator made {len(cells)} cells, {count} wanted, or an invalid one")
    return cells


def per_second(n: int, seconds: float) -> int:
    return round(n / seconds) if seconds > 0 else 0


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Shortest wall-clock and CPU time of a few runs.

    Other work on the machine only ever makes a run slower. CPU time (this process's, on its one
    core) is what the index costs; wall-clock time adds whatever the machine's other load took.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beats", type=int, default=2000)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing; the best is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "beat_lookup.json")
    args = parser.parse_args()

    pinning = pin_to_one_core()
    print(f"beat_lookup: {pinning}")
    rng = np.random.default_rng(args.seed)
    polygons = make_beats(args.beats, rng)
    vertices = shapely.get_num_coordinates(np.array(polygons, dtype=object))
    print(
        f"{len(polygons)} beats, vertices per beat min {vertices.min()} median {int(np.median(vertices))} "
        f"max {vertices.max()}"
    )

    items = [(f"B{i:05d}", polygon) for i, polygon in enumerate(polygons)]
    tracemalloc.start()
    start, start_cpu = time.perf_counter(), time.process_time()
    index = BeatIndex(items)
    build_seconds, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    _, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Points over a box 5% larger than the beats, so some fall outside every beat.
    x0, y0, x1, y1 = REGION
    pad_x, pad_y = (x1 - x0) * 0.025, (y1 - y0) * 0.025
    lons = rng.uniform(x0 - pad_x, x1 + pad_x, args.points)
    lats = rng.uniform(y0 - pad_y, y1 + pad_y, args.points)
    lon_list, lat_list = lons.tolist(), lats.tolist()
    pairs = list(zip(lat_list, lon_list, strict=True))

    lookup = index.lookup
    single = best_of(args.repeats, lambda: [lookup(lat, lon) for lat, lon in pairs])
    batched = best_of(args.repeats, lambda: index.lookup_many(lats, lons))
    # The STRtree-per-point reference is slow; a tenth of the points is plenty to time it.
    sample = pairs[: max(1, len(pairs) // 10)]
    via_tree = index.lookup_via_tree
    tree_single = best_of(1, lambda: [via_tree(lat, lon) for lat, lon in sample])

    answers = [lookup(lat, lon) for lat, lon in pairs]
    if answers != index.lookup_many(lats, lons) or answers[: len(sample)] != [
        via_tree(a, o) for a, o in sample
    ]:
        raise SystemExit("lookup, lookup_many and the STRtree disagree: the index is wrong")
    outside = sum(answer is None for answer in answers)

    figures = {
        "beats": len(polygons),
        "vertices_per_beat": {
            "min": int(vertices.min()),
            "median": int(np.median(vertices)),
            "max": int(vertices.max()),
        },
        "points": args.points,
        "points_outside_every_beat": outside,
        "seed": args.seed,
        # Per second of CPU time on the one core: the index's own cost, steady whatever else runs.
        "single_points_per_second": per_second(len(pairs), single[1]),
        "batched_points_per_second": per_second(len(pairs), batched[1]),
        "strtree_single_points_per_second": per_second(len(sample), tree_single[1]),
        # Per second of wall-clock time: lower when the machine is busy (see load_average_1min).
        "single_points_per_wall_second": per_second(len(pairs), single[0]),
        "batched_points_per_wall_second": per_second(len(pairs), batched[0]),
        "strtree_single_points_per_wall_second": per_second(len(sample), tree_single[0]),
        "build_seconds": round(build_seconds, 3),
        "build_cpu_seconds": round(build_cpu, 3),
        "build_tracemalloc_peak_mb": round(build_peak / 2**20, 1),
        # ru_maxrss is in KiB on Linux (bytes on macOS).
        "process_max_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            / (2**20 if sys.platform == "darwin" else 2**10),
            1,
        ),
        "grid_cells": index.grid_size,
        "repeats": args.repeats,
        "pinning": pinning,
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "machine": platform.machine(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "cpus": os.cpu_count(),
    }
    build_mb, rss_mb = figures["build_tracemalloc_peak_mb"], figures["process_max_rss_mb"]
    print(f"index build: {build_cpu:.2f} s CPU, {build_seconds:.2f} s wall, tracemalloc peak {build_mb} MB")

    def rate(name: str) -> str:
        cpu, wall = figures[f"{name}_points_per_second"], figures[f"{name}_points_per_wall_second"]
        return f"{cpu:>10,} points/s CPU, {wall:>10,} wall"

    print(f"single lookup:  {rate('single')}  (BeatIndex.lookup)")
    print(f"batched lookup: {rate('batched')}  (BeatIndex.lookup_many)")
    print(f"STRtree single: {rate('strtree_single')}  (query per point, for comparison)")
    print(f"peak RSS of the process: {rss_mb} MB; {outside:,} of {args.points:,} points in no beat")
    goal = 50_000
    verdict = "meets" if figures["single_points_per_second"] >= goal else "MISSES"
    print(
        f"goal {goal:,} points/s on one core: {verdict} it "
        f"(CPU time; load average {figures['load_average_1min']} on {figures['cpus']} CPUs)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
