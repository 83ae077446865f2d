#!/usr/bin/env python3
"""Prints every GPU's NVML total-energy counter (mJ) as JSON: an independent reading beside wattlab's meter."""
import json, time
import pynvml
pynvml.nvmlInit()
out = {"t": time.time(), "mJ": {}}
for i in range(pynvml.nvmlDeviceGetCount()):
    out["mJ"][str(i)] = pynvml.nvmlDeviceGetTotalEnergyConsumption(pynvml.nvmlDeviceGetHandleByIndex(i))
print(json.dumps(out))
