"""The PyTorch side of `tools/bench_vs_torch.sh`: torch.nn.Transformer as `base` (6 + 6 layers,
d_model 512, 8 heads, d_ff 2048), 2 threads, inference mode, nothing kept but the logits,
timed over `repeat` rounds beside PyTorch's own 512 x 512 x 512 f32 product.

Usage: torch_forward.py TOKENS FLOP REPEAT
  TOKENS  source tokens (and as many target tokens)
  FLOP    the products' floating-point operations of the same pass, from `qkv bench --json`
          (forward_flop: 2*n*k*m per product, the same shapes), so that both rates count alike
  REPEAT  rounds; the pass time is their median
Prints one JSON line: torch version, tokens, median/min/max ms, GFLOP/s, the best 512^3 rate
(GFLOP/s, best of two products per round) and the efficiency (pass rate over that best rate).
"""
import json
import statistics
import sys
import time

import torch


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tokens, flop, repeat = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(2)
    vocab = 34
    torch.manual_seed(0)
    with torch.inference_mode():
        emb = torch.nn.Embedding(vocab, 512)
        model = torch.nn.Transformer(512, 8, 6, 6, 2048, dropout=0.0, batch_first=True).eval()
        logits = torch.nn.Linear(512, vocab, bias=False)
        src = torch.randint(0, vocab, (1, tokens))
        tgt = torch.randint(0, vocab, (1, tokens))
        mask = torch.nn.Transformer.generate_square_subsequent_mask(tokens)

        def forward():
            return logits(model(emb(src), emb(tgt), tgt_mask=mask, tgt_is_causal=True))

        a, b = torch.randn(512, 512), torch.randn(512, 512)
        for _ in range(3):  # warm up: thread pool, caches
            forward()
            a @ b
        times, rates = [], []
        for _ in range(repeat):
            best = min(timed(lambda: a @ b), timed(lambda: a @ b))
            rates.append(2 * 512**3 / best / 1e9)
            times.append(timed(forward))
    ms = statistics.median(times) * 1e3
    gflops = flop / (ms / 1e3) / 1e9
    print(json.dumps({
        "torch": torch.__version__, "tokens": tokens, "ms": ms,
        "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3, "gflops": gflops,
        "best_512": max(rates), "efficiency": gflops / max(rates),
    }))


if __name__ == "__main__":
    main()
