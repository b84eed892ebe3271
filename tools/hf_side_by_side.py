#!/usr/bin/env python3
"""qkv and Hugging Face `transformers` side by side on one Marian model directory.

Runs `qkv bench --hf DIR --json` and `transformers` on the same directory, the same
sentence, the same number of threads (RAYON_NUM_THREADS for qkv, torch.set_num_threads for
transformers) and the same beam, and prints each one's times, tokens per second and the ratio
qkv / transformers (above 1: qkv is faster). Both translations are printed: they should be
the same.

What is timed on the transformers side, each the median of --repeat rounds on CPU under
torch.inference_mode():
- the forward pass with every attention weight and hidden state returned
  (`output_attentions=True, output_hidden_states=True`, what qkv's trace holds), on the
  sentence and the greedy translation as the decoder's input;
- `generate(num_beams=1)` (greedy) and `generate(num_beams=K)`, with the model's own
  generation settings otherwise; tokens per second = generated tokens (without the start
  token) / time.

Needs torch, transformers and sentencepiece (pip install torch transformers sentencepiece).
Run by hand, not by CI:

    python3 tools/hf_side_by_side.py tests/fixtures/hf/marian-tiny --threads 1
    python3 tools/hf_side_by_side.py ~/models/opus-mt-ko-en --threads 2 --beam 4
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def qkv_side(args):
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    cmd = [
        args.qkv, "bench", "--hf", args.dir, "--json",
        "--text", args.text, "--repeat", str(args.repeat),
    ]
    if args.beam:
        cmd += ["--beam", str(args.beam)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def median_ms(f, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = f()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), result


def transformers_side(args, beams):
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(args.threads)
    t = time.perf_counter()
    tok = MarianTokenizer.from_pretrained(args.dir)
    model = MarianMTModel.from_pretrained(args.dir, attn_implementation="eager").eval()
    load_ms = (time.perf_counter() - t) * 1e3
    enc = tok(args.text, return_tensors="pt")
    res = {"load_ms": load_ms, "threads": torch.get_num_threads()}
    with torch.inference_mode():
        for name, k in [("greedy", 1), ("beam", beams)]:
            ms, out = median_ms(
                lambda k=k: model.generate(**enc, num_beams=k, do_sample=False),
                args.repeat,
            )
            n = out.shape[1] - 1
            res[name] = {
                "beams": k,
                "tokens": n,
                "ms": ms,
                "tokens_per_s": n / (ms / 1e3),
                "translation": tok.decode(out[0], skip_special_tokens=True),
            }
            if name == "greedy":
                greedy = out
        # The decoder reads the greedy output without its last token (</s>).
        dec = greedy[:, :-1]
        ms, _ = median_ms(
            lambda: model(
                **enc,
                decoder_input_ids=dec,
                output_attentions=True,
                output_hidden_states=True,
            ),
            args.repeat,
        )
        res["forward_ms"] = ms
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a Hugging Face Marian model directory")
    p.add_argument("--text", default="나는 학교에 간다")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--beam", type=int, default=None,
                   help="beam size (default: the model's num_beams)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--qkv", default="target/release/qkv",
                   help="the qkv binary (default: target/release/qkv)")
    args = p.parse_args()
    if not os.path.exists(args.qkv):
        sys.exit(f"{args.qkv} does not exist: build it (cargo build --release) or give --qkv")
    q = qkv_side(args)
    beams = q["beam"]["beams"]
    t = transformers_side(args, beams)
    print(f"model: {q['model']}  ({q['params']} parameters)")
    print(f"sentence: {args.text}   threads: qkv {q['threads']}, transformers {t['threads']}")
    print(f"{'':32}{'qkv':>14}{'transformers':>16}{'ratio':>10}")

    def row(label, a, b, unit, higher_better):
        ratio = a / b if higher_better else b / a
        print(f"{label:32}{a:>11.2f} {unit:<3}{b:>13.2f} {unit:<3}{ratio:>9.2f}×")

    row("load", q["load_ms"], t["load_ms"], "ms", False)
    row("forward pass, full trace", q["forward_ms"], t["forward_ms"], "ms", False)
    for name in ["greedy", "beam"]:
        a, b = q[name], t[name]
        row(f"{name} (beams {a['beams']}) tokens/s", a["tokens_per_s"], b["tokens_per_s"], "t/s", True)
    for name in ["greedy", "beam"]:
        same = "same" if q[name]["translation"] == t[name]["translation"] else "DIFFERENT"
        print(f"{name}: qkv {q[name]['translation']!r}, transformers {t[name]['translation']!r} ({same})")
    print("ratio: qkv's speed over transformers' (above 1: qkv is faster)")
    if q.get("peak_mib") is not None:
        print(f"qkv peak resident memory: {q['peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
