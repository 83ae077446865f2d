#!/usr/bin/env python3
"""The original study's stack as a same-run baseline: Hugging Face Transformers generating with random
weights at the true shapes of the seed's models, fp16, fixed output length, energy from NVML's total-energy
counter (the counter wattlab's meter reads). Runs on the GPU machine only (it has torch + transformers).

usage: python3 bench/hf_baseline.py --model llama-2-7b --batch 1,2,4 --input 128 --output 128 --reps 3 --out results/h200/hf-baseline.csv
Each row: one generate() call, after an unmeasured full-length warm-up (prefill-only and full generate) per shape. Columns match wattlab's metrics CSV names.
"""
import argparse, csv, os, time

import torch
import pynvml
from transformers import AutoConfig, AutoModelForCausalLM, LlamaConfig, Qwen2Config

PRESETS = {
    "llama-2-7b": lambda: LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096,
        rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False),
    "deepseek-r1-distill-qwen-7b": lambda: Qwen2Config(hidden_size=3584, intermediate_size=18944,
        num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, vocab_size=152064,
        max_position_embeddings=131072, rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False),
}


def energy_mj(handle):
    return pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="llama-2-7b")
    p.add_argument("--batch", default="1,2,4")
    p.add_argument("--input", default="128")
    p.add_argument("--output", default="128")
    p.add_argument("--shapes", default="", help="batch:input:output;... (one-at-a-time cells) instead of the grid of --batch/--input/--output")
    p.add_argument("--prefill-min-s", type=float, default=1.0, help="repeat the prefill-only pass until this long: one prefill is shorter than the counter's ~100 ms tick")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    cfg = PRESETS[a.model]() if a.model in PRESETS else AutoConfig.from_pretrained(a.model)
    t0 = time.perf_counter()
    with torch.device("cuda"):  # initialise on the GPU: random 7B weights in seconds, not minutes
        try:
            model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float16)  # transformers >= 4.56
        except TypeError:
            model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.float16)
    model.eval()
    load_s = time.perf_counter() - t0
    pynvml.nvmlInit()
    dev = int(os.environ.get("CUDA_VISIBLE_DEVICES", "0").split(",")[0] or 0)
    handle = pynvml.nvmlDeviceGetHandleByIndex(dev)
    gpu_name = pynvml.nvmlDeviceGetName(handle)
    gpu_name = gpu_name.decode() if isinstance(gpu_name, bytes) else gpu_name

    rows = []
    if a.shapes:
        shapes = [tuple(map(int, cell.split(":"))) for cell in a.shapes.split(";") if cell]
    else:
        shapes = [(b, i, o) for b in map(int, a.batch.split(",")) for i in map(int, a.input.split(",")) for o in map(int, a.output.split(","))]
    for batch, n_in, n_out in shapes:
        ids = torch.randint(3, cfg.vocab_size, (batch, n_in), device="cuda")
        mask = torch.ones_like(ids)
        kw = dict(attention_mask=mask, do_sample=False, max_new_tokens=n_out, min_new_tokens=n_out, pad_token_id=0)
        with torch.inference_mode():
            # Warm-up: both calls a repetition makes, at full length. An 8-token warm-up left the first
            # measured repetition 3x slower (16 vs 46 tok/s on the H200): the caching allocator and the
            # kernels of longer KV lengths were first met inside the measurement.
            model.generate(ids, **{**kw, "max_new_tokens": 1, "min_new_tokens": 1})
            model.generate(ids, **kw)
            torch.cuda.synchronize()
            for rep in range(a.reps):
                torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
                # Prefill energy: prefill-only passes repeated until the window spans several counter ticks.
                e0 = energy_mj(handle); t0 = time.perf_counter(); passes = 0
                while True:
                    model.generate(ids, **{**kw, "max_new_tokens": 1, "min_new_tokens": 1})
                    torch.cuda.synchronize(); passes += 1
                    if time.perf_counter() - t0 >= a.prefill_min_s and passes >= 3:
                        break
                t1 = time.perf_counter(); e1 = energy_mj(handle)
                prefill_s = (t1 - t0) / passes
                prefill_j = (e1 - e0) / 1000 / passes
                out = model.generate(ids, **kw)
                torch.cuda.synchronize()
                t2 = time.perf_counter(); e2 = energy_mj(handle)
                n_new = out.shape[1] - n_in
                assert n_new == n_out, (n_new, n_out)
                total_s = t2 - t1
                energy_j = (e2 - e1) / 1000
                decode_j = energy_j - prefill_j  # generate() minus a prefill-only generate of the same prompt
                rows.append(dict(engine="transformers", model=a.model, quantization="fp16", device="cuda",
                    batch_size=batch, input_length=n_in, output_length=n_out, repetition=rep, state="completed",
                    latency_total_s=total_s, latency_prefill_s=prefill_s, prefill_passes=passes, tokens_out=batch * n_out,
                    tokens_per_s=batch * n_out / total_s, energy_gpu_j=energy_j, energy_source="gpu:counter",
                    j_per_output_token=energy_j / (batch * n_out), prefill_energy_j=prefill_j, prefill_j_per_input_token=prefill_j / (batch * n_in),
                    decode_energy_j=decode_j, decode_j_per_output_token=decode_j / (batch * n_out),
                    peak_gpu_memory_mb=torch.cuda.max_memory_allocated() / 2**20, gpu_name=gpu_name,
                    model_load_s=load_s, torch_version=torch.__version__,
                    transformers_version=__import__("transformers").__version__))
                flush_row(a.out, rows[-1])
                print(f"{a.model} b={batch} in={n_in} out={n_out} rep={rep}: {rows[-1]['tokens_per_s']:.1f} tok/s "
                      f"{rows[-1]['j_per_output_token']:.3f} J/tok", flush=True)
    pynvml.nvmlShutdown()


def flush_row(path, row):
    """Appends one row as soon as it is measured, so a run cut short keeps what it measured."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    exists = os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row.keys()))
        if not exists:
            w.writeheader()
        w.writerow(row)


if __name__ == "__main__":
    main()
