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

- the first forward pass right after loading, with only the decoder's start token and
  every attention weight and hidden state returned (what `qkv bench --hf` calls the first
  trace).

Peak resident memory is each process's own (`VmHWM` for qkv, `ru_maxrss` for Python).

With --rounds N (default 3) the two sides run N times in turn, each round in fresh
processes (qkv, then transformers in a child Python), and every row is the median over the
rounds, with the lowest and highest ratio: on a shared machine a single round says little.

Needs torch, transformers and sentencepiece (pip install torch transformers sentencepiece).
Run by hand, not by CI:

    python3 tools/hf_side_by_side.py tests/fixtures/hf/marian-tiny --threads 1
    python3 tools/hf_side_by_side.py ~/models/opus-mt-ko-en --threads 2 --beam 4
"""

import argparse
import json
import os
import resource
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
        start = torch.tensor([[model.config.decoder_start_token_id]])
        t = time.perf_counter()
        model(**enc, decoder_input_ids=start, output_attentions=True, output_hidden_states=True)
        res["first_trace_ms"] = (time.perf_counter() - t) * 1e3
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
    # ru_maxrss is in KiB on Linux.
    res["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def transformers_round(args, beams):
    """transformers_side in a fresh Python process, so that its load, first pass and peak
    memory are its own."""
    cmd = [
        sys.executable, os.path.abspath(__file__), args.dir, "--transformers-only",
        "--text", args.text, "--threads", str(args.threads), "--beam", str(beams),
        "--repeat", str(args.repeat),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a Hugging Face Marian model directory")
    p.add_argument("--text", default="나는 학교에 간다")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--beam", type=int, default=None,
                   help="beam size (default: the model's num_beams)")
    p.add_argument("--repeat", type=int, default=5,
                   help="timed runs of each measurement within a round (medians)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds of both sides in turn, each in fresh processes (medians)")
    p.add_argument("--qkv", default="target/release/qkv",
                   help="the qkv binary (default: target/release/qkv)")
    p.add_argument("--transformers-only", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.transformers_only:
        print(json.dumps(transformers_side(args, args.beam)))
        return
    if not os.path.exists(args.qkv):
        sys.exit(f"{args.qkv} does not exist: build it (cargo build --release) or give --qkv")
    qs, ts = [], []
    for r in range(max(args.rounds, 1)):
        q = qkv_side(args)
        qs.append(q)
        ts.append(transformers_round(args, q["beam"]["beams"]))
        print(f"round {r + 1}: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
              file=sys.stderr)
    q, t = qs[-1], ts[-1]
    print(f"model: {q['model']}  ({q['params']} parameters)")
    print(f"sentence: {args.text}   threads: qkv {q['threads']}, transformers {t['threads']}")
    print(f"source pieces: {q['source_pieces']}   rounds: {len(qs)} × {args.repeat} runs")
    print(f"{'':32}{'qkv':>14}{'transformers':>16}{'ratio':>10}   (ratio low–high)")

    def row(label, get, unit, higher_better):
        pairs = [(get(a), get(b)) for a, b in zip(qs, ts)]
        ratios = [a / b if higher_better else b / a for a, b in pairs]
        a = statistics.median(x for x, _ in pairs)
        b = statistics.median(y for _, y in pairs)
        print(f"{label:32}{a:>11.2f} {unit:<3}{b:>13.2f} {unit:<3}"
              f"{statistics.median(ratios):>9.2f}×   ({min(ratios):.2f}–{max(ratios):.2f})")

    row("load", lambda d: d["load_ms"], "ms", False)
    row("first trace after loading", lambda d: d["first_trace_ms"], "ms", False)
    row("forward pass, full trace", lambda d: d["forward_ms"], "ms", False)
    for name in ["greedy", "beam"]:
        row(f"{name} (beams {q[name]['beams']}) tokens/s",
            lambda d, name=name: d[name]["tokens_per_s"], "t/s", True)
    if all(d.get("peak_mib") is not None for d in qs):
        row("peak resident memory", lambda d: d["peak_mib"], "MiB", False)
    for name in ["greedy", "beam"]:
        a, b = q[name], t[name]
        same = "same" if a["translation"] == b["translation"] else "DIFFERENT"
        print(f"{name}: qkv {a['tokens']} tokens, transformers {b['tokens']} tokens; "
              f"qkv {a['translation']!r}, transformers {b['translation']!r} ({same})")
    print("ratio: qkv's over transformers' (above 1: qkv is faster or smaller)")


if __name__ == "__main__":
    main()
