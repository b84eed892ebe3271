#!/usr/bin/env python3
"""Can a tiny Transformer learn data/ko-en.tsv? A PyTorch baseline with qkv's conventions.

Usage:
    ~/venv-torch/bin/python tools/corpus_baseline.py [data/ko-en.tsv] [--d-model 16]
        [--heads 2] [--d-ff 64] [--layers 2] [--norm post|pre] [--steps 1500] [--batch 32]
        [--lr 3e-3] [--label-smoothing 0] [--threads 1] [--seed 0] [--time-limit 60]

Not part of qkv: a yardstick for the corpus (is it learnable by a tiny model, how fast, with
which settings), so that `qkv train` has numbers to compare with. The model follows DESIGN.md:
encoder-decoder, sinusoidal positional encoding, Q/K/V/O without bias, FFN with biases,
post-LN (or pre-LN with final norms), tied embedding table (`logits = x · Eᵀ`), one
vocabulary `<pad> <unk> <bos> <eos>` + corpus words, Xavier-uniform init; Adam (β 0.9/0.98,
ε 1e-9) with a constant learning rate, padded minibatches with key-padding masks,
cross-entropy over `a b <eos>` given `<bos> a b`. It prints the training loss as it goes, then
the held-out greedy exact match and the translation of 나는 학교에 간다.
"""

import argparse
import math
import random
import sys
import time

import torch
import torch.nn.functional as F

SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"]


def read(path):
    train, held = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            (held if len(fields) == 3 else train).append((fields[0].split(" "),
                                                          fields[1].split(" ")))
    return train, held


class Tiny(torch.nn.Module):
    def __init__(self, vocab, d, heads, d_ff, layers, pre):
        super().__init__()
        self.d, self.h, self.pre = d, heads, pre
        self.E = torch.nn.Parameter(torch.empty(vocab, d))
        torch.nn.init.xavier_uniform_(self.E)

        def mat(a, b):
            w = torch.nn.Parameter(torch.empty(a, b))
            torch.nn.init.xavier_uniform_(w)
            return w

        def attn():
            return torch.nn.ParameterList([mat(d, d) for _ in range(4)])

        def ffn():
            return torch.nn.ParameterList([mat(d, d_ff), torch.nn.Parameter(torch.zeros(d_ff)),
                                           mat(d_ff, d), torch.nn.Parameter(torch.zeros(d))])

        def norm():
            return torch.nn.LayerNorm(d, eps=1e-5)

        self.enc = torch.nn.ModuleList([torch.nn.ModuleList([attn(), ffn(), norm(), norm()])
                                        for _ in range(layers)])
        self.dec = torch.nn.ModuleList([torch.nn.ModuleList([attn(), attn(), ffn(), norm(),
                                                             norm(), norm()])
                                        for _ in range(layers)])
        self.enc_final, self.dec_final = norm(), norm()

    def pe(self, n):
        pos = torch.arange(n, dtype=torch.float32)[:, None]
        col = torch.arange(self.d)
        angle = pos / 10000.0 ** ((col - col % 2).float() / self.d)
        return torch.where(col % 2 == 0, torch.sin(angle), torch.cos(angle))

    def mha(self, w, xq, xkv, key_pad, causal):
        B, nq, d = xq.shape
        nk = xkv.shape[1]
        dk = d // self.h

        def split(x, n):
            return x.reshape(B, n, self.h, dk).transpose(1, 2)
        q, k, v = split(xq @ w[0], nq), split(xkv @ w[1], nk), split(xkv @ w[2], nk)
        s = q @ k.transpose(-1, -2) / math.sqrt(dk)
        hide = key_pad[:, None, None, :]
        if causal:
            hide = hide | torch.triu(torch.ones(nq, nk, dtype=torch.bool), 1)
        s = s.masked_fill(hide, float("-inf"))
        out = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, nq, d)
        return out @ w[3]

    @staticmethod
    def ff(w, x):
        return torch.relu(x @ w[0] + w[1]) @ w[2] + w[3]

    def sub(self, x, norm, f):
        return x + f(norm(x)) if self.pre else norm(x + f(x))

    def encode(self, src):
        pad = src == 0
        x = self.E[src] + self.pe(src.shape[1])
        for a, f, n1, n2 in self.enc:
            x = self.sub(x, n1, lambda z: self.mha(a, z, z, pad, False))
            x = self.sub(x, n2, lambda z: self.ff(f, z))
        return (self.enc_final(x) if self.pre else x), pad

    def decode(self, tgt, memory, src_pad):
        pad = tgt == 0
        x = self.E[tgt] + self.pe(tgt.shape[1])
        for sa, ca, f, n1, n2, n3 in self.dec:
            x = self.sub(x, n1, lambda z: self.mha(sa, z, z, pad, True))
            x = self.sub(x, n2, lambda z: self.mha(ca, z, memory, src_pad, False))
            x = self.sub(x, n3, lambda z: self.ff(f, z))
        if self.pre:
            x = self.dec_final(x)
        return x @ self.E.T


def batch(pairs, ids):
    def pad(seqs):
        n = max(len(s) for s in seqs)
        return torch.tensor([s + [0] * (n - len(s)) for s in seqs])
    src = pad([[ids[t] for t in ko] for ko, _ in pairs])
    tgt_in = pad([[2] + [ids[t] for t in en] for _, en in pairs])
    tgt_out = pad([[ids[t] for t in en] + [3] for _, en in pairs])
    tgt_out[tgt_in == 0] = -100
    return src, tgt_in, tgt_out


@torch.no_grad()
def greedy(model, ko, ids, vocab, limit=12):
    memory, pad = model.encode(torch.tensor([[ids.get(t, 1) for t in ko]]))
    out = [2]
    while len(out) < limit:
        nxt = int(model.decode(torch.tensor([out]), memory, pad)[0, -1].argmax())
        if nxt == 3:
            break
        out.append(nxt)
    return [vocab[i] for i in out[1:]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default="data/ko-en.tsv")
    ap.add_argument("--d-model", type=int, default=16)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--d-ff", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--norm", default="post", choices=["post", "pre"])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0, help="stop training after (s)")
    ap.add_argument("--every", type=int, default=100, help="print the loss every N steps")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    train, held = read(args.corpus)
    words = []
    for ko, en in train + held:
        for t in ko + en:
            if t not in words:
                words.append(t)
    vocab = SPECIALS + words
    ids = {t: i for i, t in enumerate(vocab)}
    model = Tiny(len(vocab), args.d_model, args.heads, args.d_ff, args.layers,
                 args.norm == "pre")
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    print(f"{len(train)} training / {len(held)} held-out pairs, vocabulary {len(vocab)}; "
          f"d_model {args.d_model}, {args.heads} heads, d_ff {args.d_ff}, "
          f"{args.layers}+{args.layers} layers, {args.norm}-LN, {n_params} parameters; "
          f"batch {args.batch}, lr {args.lr}, ε {args.label_smoothing}, "
          f"{args.threads} thread(s)")
    start = time.perf_counter()
    order = []
    step = 0
    for step in range(1, args.steps + 1):
        if len(order) < args.batch:
            order += rng.sample(range(len(train)), len(train))
        chosen, order = order[:args.batch], order[args.batch:]
        src, tgt_in, tgt_out = batch([train[i] for i in chosen], ids)
        memory, pad = model.encode(src)
        logits = model.decode(tgt_in, memory, pad)
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), tgt_out.reshape(-1),
                               ignore_index=-100, label_smoothing=args.label_smoothing)
        opt.zero_grad()
        loss.backward()
        opt.step()
        elapsed = time.perf_counter() - start
        if step % args.every == 0:
            print(f"step {step:5d}  loss {loss.item():.4f}  {elapsed:6.1f} s")
        if elapsed > args.time_limit:
            print(f"time limit reached at step {step}")
            break
    train_time = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        src, tgt_in, tgt_out = batch(train, ids)
        memory, pad = model.encode(src)
        full = F.cross_entropy(model.decode(tgt_in, memory, pad).reshape(-1, len(vocab)),
                               tgt_out.reshape(-1), ignore_index=-100).item()
        src, tgt_in, tgt_out = batch(held, ids)
        memory, pad = model.encode(src)
        held_loss = F.cross_entropy(model.decode(tgt_in, memory, pad).reshape(-1, len(vocab)),
                                    tgt_out.reshape(-1), ignore_index=-100).item()
    train_ok = sum(greedy(model, ko, ids, vocab) == en for ko, en in train)
    held_ok = [(ko, en, greedy(model, ko, ids, vocab)) for ko, en in held]
    n_ok = sum(got == en for _, en, got in held_ok)
    print(f"trained {step} steps in {train_time:.1f} s; training loss (all pairs, ε=0) "
          f"{full:.4f}, held-out loss {held_loss:.4f}")
    print(f"greedy exact match: training {train_ok}/{len(train)} "
          f"({100 * train_ok / len(train):.1f} %), held-out {n_ok}/{len(held)} "
          f"({100 * n_ok / len(held):.1f} %)")
    for ko, en, got in held_ok:
        if got != en:
            print(f"  miss: {' '.join(ko)} → {' '.join(got)} (want {' '.join(en)})")
    print(f"나는 학교에 간다 → {' '.join(greedy(model, '나는 학교에 간다'.split(), ids, vocab))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
