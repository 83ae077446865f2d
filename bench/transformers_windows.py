#!/usr/bin/env python3
"""The study's own stack under wattlab's meter: Hugging Face Transformers generating at the true shapes of the
seed's models (random weights, fp16, exact output length), every measured part a named window that
`wattlab meter` times and meters with the same counter and protocol as its own engines.

usage: wattlab meter --json --store DIR -- python3 bench/transformers_windows.py --model llama-2-7b \
           --variants default,static --shapes 1:128:128,4:128:128 --reps 5

Variants (the two a user of the study's stack would pick):
  default  model.generate() as it comes: dynamic KV cache, eager PyTorch, no compilation.
  static   generate(cache_implementation="static"): a fixed-size KV cache that transformers compiles with
           torch.compile on first use. Warm-up repeats full generations until three in a row agree within 3%
           (at most --max-warmup), so compilation and autotuning stay out of every window.

Protocol per (variant, shape): after the warm-up, each repetition is one window `NAME.r<rep>` holding the same
generation repeated back to back until it lasts --min-window-s and counts --min-generations; the window is marked
with its totals (tokens, generations), so per-generation figures are totals / count. A second window
`NAME.r<rep>.prefill` repeats prefill-only passes (max_new_tokens=1) the same way.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from wattlab_window import begin, end, mark, enabled  # noqa: E402

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config  # noqa: E402

PRESETS = {
    "llama-2-7b": lambda: LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096,
        rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False),
    "deepseek-r1-distill-qwen-7b": lambda: Qwen2Config(hidden_size=3584, intermediate_size=18944,
        num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, vocab_size=152064,
        max_position_embeddings=131072, rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False),
}


def timed(fn):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return out, time.perf_counter() - t0


def warm_up(generate, variant, max_warmup):
    """Default: two full generations. Static: until three in a row agree within 3% (compile, autotune, graphs)."""
    times = []
    for i in range(max_warmup):
        _, s = timed(generate)
        times.append(s)
        if variant == "default" and i >= 1:
            break
        last = times[-3:]
        if variant == "static" and len(last) == 3 and (max(last) - min(last)) / min(last) < 0.03:
            break
    return times


def repeated(fn, min_s, min_count):
    """Runs fn back to back until both minimums are met; returns (count, seconds)."""
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    n = 0
    while True:
        fn()
        torch.cuda.synchronize()
        n += 1
        if n >= min_count and time.perf_counter() - t0 >= min_s:
            return n, time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="llama-2-7b", choices=sorted(PRESETS))
    p.add_argument("--variants", default="default,static")
    p.add_argument("--shapes", default="1:128:128,4:128:128", help="batch:input:output, comma-separated")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--min-window-s", type=float, default=2.0)
    p.add_argument("--min-generations", type=int, default=3)
    p.add_argument("--max-warmup", type=int, default=12)
    p.add_argument("--attn", default="sdpa")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if not enabled():
        print("note: not under `wattlab meter` (no WATTLAB_WINDOW_FD): windows are not reported", file=sys.stderr)

    torch.manual_seed(a.seed)
    cfg = PRESETS[a.model]()
    with torch.device("cuda"):  # random 7B weights made on the GPU: seconds, not minutes
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float16, attn_implementation=a.attn)
    model.eval()
    versions = dict(transformers_version=transformers.__version__, torch_version=torch.__version__,
                    attention=a.attn, gpu=torch.cuda.get_device_name(0))
    print(f"model {a.model} fp16 on {versions['gpu']}; transformers {versions['transformers_version']}, torch {versions['torch_version']}", flush=True)

    shapes = [tuple(map(int, s.split(":"))) for s in a.shapes.split(",") if s]
    for variant in a.variants.split(","):
        extra = {"cache_implementation": "static"} if variant == "static" else {}
        if variant not in ("default", "static"):
            sys.exit(f"unknown variant {variant!r}: use default or static")
        for batch, n_in, n_out in shapes:
            ids = torch.randint(3, cfg.vocab_size, (batch, n_in), device="cuda", generator=torch.Generator("cuda").manual_seed(a.seed))
            kw = dict(attention_mask=torch.ones_like(ids), do_sample=False, pad_token_id=0, **extra)
            full = lambda: model.generate(ids, max_new_tokens=n_out, min_new_tokens=n_out, **kw)  # noqa: E731
            prefill = lambda: model.generate(ids, max_new_tokens=1, min_new_tokens=1, **kw)  # noqa: E731
            with torch.inference_mode():
                out, _ = timed(full)
                assert out.shape[1] - n_in == n_out, (out.shape, n_in, n_out)
                warm = warm_up(full, variant, a.max_warmup)
                warm_up(prefill, variant, a.max_warmup)
                name = f"transformers-{variant}.b{batch}.i{n_in}.o{n_out}"
                print(f"{name}: warm-up {len(warm)} generations, last {warm[-1]:.3f} s", flush=True)
                common = dict(engine="transformers", variant=variant, model=a.model, quantization="fp16", device="cuda",
                              batch_size=batch, input_length=n_in, warmup_generations=len(warm), **versions)
                for rep in range(a.reps):
                    torch.cuda.reset_peak_memory_stats()
                    w = f"{name}.r{rep}"
                    begin(w)
                    count, seconds = repeated(full, a.min_window_s, a.min_generations)
                    end(w)
                    mark(w, sweep=f"transformers-{variant}", output_length=n_out, repetition=rep, generations=count,
                         tokens_in=count * batch * n_in, tokens_out=count * batch * n_out,
                         peak_gpu_memory_mb=round(torch.cuda.max_memory_allocated() / 2**20, 1), **common)
                    # prefill alone: one-token generations, stored as rows of output_length 1
                    wp = f"{w}.prefill"
                    begin(wp)
                    pcount, pseconds = repeated(prefill, a.min_window_s / 2, a.min_generations)
                    end(wp)
                    mark(wp, sweep=f"transformers-{variant}-prefill", output_length=1, repetition=rep, generations=pcount,
                         tokens_in=pcount * batch * n_in, tokens_out=pcount * batch, **common)
                    print(f"{w}: {count} generations in {seconds:.2f} s = {count * batch * n_out / seconds:.1f} tok/s; "
                          f"prefill {pseconds / pcount * 1000:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
