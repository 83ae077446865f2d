"""Measures the GPU's memory bandwidth as a device-to-device copy (PyTorch), the figure the 7B report's bandwidth floor
divides by. A copy reads and writes every byte, so bytes moved = 2 x the buffer. Prints one JSON line.

usage: python3 bench/bandwidth.py [--gib 4] [--reps 20]
"""
import argparse
import json
import statistics

import torch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=4.0, help="buffer size (GiB)")
    parser.add_argument("--reps", type=int, default=20, help="timed copies after 3 warm-ups")
    args = parser.parse_args()
    n_bytes = int(args.gib * 2**30)
    src = torch.empty(n_bytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    seconds = []
    for _ in range(args.reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        dst.copy_(src)
        end.record()
        end.synchronize()
        seconds.append(start.elapsed_time(end) / 1000)
    rates = [2 * n_bytes / s for s in seconds]
    print(json.dumps({
        "device": torch.cuda.get_device_name(0),
        "buffer_bytes": n_bytes,
        "reps": args.reps,
        "rule": "device-to-device copy; bytes moved = read + write = 2 x buffer",
        "bandwidth_bytes_per_s_median": statistics.median(rates),
        "bandwidth_bytes_per_s_max": max(rates),
        "bandwidth_bytes_per_s_min": min(rates),
    }))


if __name__ == "__main__":
    main()
