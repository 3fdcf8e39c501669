#!/usr/bin/env python3
"""Reference Newton-Schulz in PyTorch, timed on the shapes of one or more bench-ns CSV files, printed beside them.

The iteration is the quintic of Keller Jordan's Muon, written here from its definition (docs/ALGORITHMS.md, Muon):
X <- G / (||G||_F + 1e-7); work on X^T if G is tall; k times: A = X X^T, B = b A + c A A, X = a X + B X with
(a, b, c) = (3.4445, -4.7750, 2.0315); transpose back. float32, 5 steps, PyTorch's own threads (as many as cores).

Usage: newton_schulz_torch.py [--reps N] ours.csv [ours2.csv ...]
Each CSV is a newton-schulz.csv written by bench-ns (columns shape,gemm_gflops,ns_gflops,ratio,ns_ms). The torch
timing runs once per CSV (call it between bench-ns runs to interleave); per shape the medians over the runs are
compared. Optional, not part of CI: see newton_schulz_peers.sh for the set-up.
"""
import argparse
import csv
import os
import statistics
import time

import torch

A, B, C = 3.4445, -4.7750, 2.0315


def newton_schulz(g, steps=5, eps=1e-7):
    x = g / (g.norm() + eps)
    tall = g.size(0) > g.size(1)
    if tall:
        x = x.T
    for _ in range(steps):
        a = x @ x.T
        b = B * a + C * (a @ a)
        x = A * x + b @ x
    return x.T if tall else x


def flops(rows, cols, steps=5):
    m, n = min(rows, cols), max(rows, cols)
    return steps * (4.0 * m * m * n + 2.0 * m * m * m)


def time_shape(rows, cols, reps):
    torch.manual_seed(1)
    g = torch.randn(rows, cols, dtype=torch.float32)
    for _ in range(2):
        newton_schulz(g)
    seconds = []
    for _ in range(reps):
        t0 = time.perf_counter()
        newton_schulz(g)
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds)


def blas_library():
    """The BLAS shared library this process has loaded (Debian picks it through its alternatives)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and line.split()[-1].startswith("/")}
        return ", ".join(sorted(os.path.realpath(p) for p in libs)) or "unknown"
    except OSError:
        return "unknown"


def read_ours(path):
    with open(path, newline="") as f:
        return {row["shape"]: float(row["ns_ms"]) for row in csv.DictReader(f)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=9, help="timed repetitions per shape (default 9)")
    parser.add_argument("--torch-csv", help="also write the torch timings of this run to this CSV")
    parser.add_argument("csv", nargs="+", help="newton-schulz.csv files of bench-ns runs")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas_library()}")
    runs = [read_ours(p) for p in args.csv]
    shapes = list(runs[0].keys())
    torch_ms = {s: [] for s in shapes}
    for _ in runs:
        for s in shapes:
            rows, cols = (int(v) for v in s.split("x"))
            torch_ms[s].append(time_shape(rows, cols, args.reps) * 1e3)
    print(f"\n{'shape':<12} {'ours ms':>10} {'torch ms':>10} {'ours GFLOP/s':>13} {'torch GFLOP/s':>14} "
          f"{'ours / torch speed':>19}")
    table = []
    for s in shapes:
        rows, cols = (int(v) for v in s.split("x"))
        ours = statistics.median(run[s] for run in runs)
        ref = statistics.median(torch_ms[s])
        f = flops(rows, cols) / 1e6  # MFLOP, so MFLOP / ms = GFLOP/s
        table.append((s, ours, ref))
        print(f"{s:<12} {ours:>10.2f} {ref:>10.2f} {f / ours:>13.1f} {f / ref:>14.1f} {ref / ours:>19.3f}")
    if args.torch_csv:
        with open(args.torch_csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["shape", "ours_ms", "torch_ms", "speedup_vs_torch"])
            for s, ours, ref in table:
                w.writerow([s, f"{ours:.3f}", f"{ref:.3f}", f"{ref / ours:.4f}"])


if __name__ == "__main__":
    main()
