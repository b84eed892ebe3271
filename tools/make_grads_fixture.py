#!/usr/bin/env python3
"""Write a tiny random model's `qkv export --grads` file, with gradients computed WITHOUT torch.

Usage:
    python3 tools/make_grads_fixture.py -o /tmp/g.npz [--arch encoder|decoder|encoder-decoder]
        [--norm post|pre] [--mask none|causal] [--scale/--no-scale] [--embed-scale]
        [--positional sinusoidal|none] [--label-smoothing 0.1] [--layers 2] [--seed 1]
        [--corrupt grad.NAME] [--skip-fd]

It exists to test tools/verify_grads.py before (and independently of) the Rust engine's
`qkv export --grads`: the file follows the same layout (DESIGN.md "Wave 2", README "Export
layout"), float32 arrays like the engine's. Its gradients come from an independent float64
numpy reverse pass whose backward rules are written out by hand below (matmul, bias,
split/concat heads, ÷√d_k, −∞ mask, softmax `w (g − Σ w g)`, ReLU, LayerNorm, tied embedding
lookups and `x · Eᵀ`, label-smoothed cross-entropy through `probs`); before writing, every
weight and every step gradient is checked against central finite differences of the loss
(two entries per tensor, h = 1e-6), and the script stops if one disagrees.
`--corrupt grad.NAME` adds 1e-3·max|g| to one entry of that gradient afterwards, to make a
file the verifier must reject.
"""

import argparse
import json
import math
import sys

import numpy as np


# ----------------------------------------------------------------------------------------------
# A small reverse-mode tape with hand-written backward rules
# ----------------------------------------------------------------------------------------------

class Node:
    def __init__(self, tape, value, backward=None):
        self.value = value
        self.grad = np.zeros_like(value)
        self.backward = backward          # function of this node's grad, adds to parents' grads
        tape.append(self)


class Tape:
    def __init__(self):
        self.nodes = []

    def leaf(self, value):
        return Node(self.nodes, np.array(value, dtype=np.float64))

    def op(self, value, backward):
        return Node(self.nodes, value, backward)

    def backward(self, out):
        out.grad = np.ones_like(out.value)
        for n in reversed(self.nodes):
            if n.backward is not None:
                n.backward(n.grad)

    # -- operations --------------------------------------------------------------------------

    def matmul(self, a, b):
        """a · b for 2-D or head-batched 3-D arrays."""
        def bw(g):
            a.grad += g @ np.swapaxes(b.value, -1, -2)
            b.grad += np.swapaxes(a.value, -1, -2) @ g
        return self.op(a.value @ b.value, bw)

    def matmul_t(self, a, b):
        """a · bᵀ (2-D), for the tied output projection."""
        def bw(g):
            a.grad += g @ b.value
            b.grad += g.T @ a.value
        return self.op(a.value @ b.value.T, bw)

    def add(self, a, b):
        """a + b; b may be a bias vector broadcast over rows."""
        def bw(g):
            a.grad += g
            b.grad += g.sum(axis=0) if b.value.ndim < g.ndim else g
        return self.op(a.value + b.value, bw)

    def scale(self, a, c):
        def bw(g):
            a.grad += c * g
        return self.op(a.value * c, bw)

    def gather_rows(self, table, ids):
        def bw(g):
            np.add.at(table.grad, ids, g)
        return self.op(table.value[ids], bw)

    def split_heads(self, a, heads):
        n, d = a.value.shape
        def bw(g):
            a.grad += g.transpose(1, 0, 2).reshape(n, d)
        return self.op(a.value.reshape(n, heads, d // heads).transpose(1, 0, 2), bw)

    def concat_heads(self, a):
        h, n, dk = a.value.shape
        def bw(g):
            a.grad += g.reshape(n, h, dk).transpose(1, 0, 2)
        return self.op(a.value.transpose(1, 0, 2).reshape(n, h * dk), bw)

    def transpose_heads(self, a):
        def bw(g):
            a.grad += np.swapaxes(g, -1, -2)
        return self.op(np.swapaxes(a.value, -1, -2), bw)

    def mask(self, a, hidden):
        """−∞ where hidden; the gradient of a hidden cell is 0."""
        def bw(g):
            a.grad += np.where(hidden, 0.0, g)
        return self.op(np.where(hidden, -np.inf, a.value), bw)

    def softmax_rows(self, a):
        m = a.value
        row_max = m.max(axis=-1, keepdims=True)
        dead = np.isneginf(row_max)
        e = np.exp(m - np.where(dead, 0.0, row_max))
        total = e.sum(axis=-1, keepdims=True)
        w = e / np.where(dead, 1.0, total)

        def bw(g):
            # ∂x_j = w_j (g_j − Σ_k w_k g_k); zero where w is 0 (−∞ cells, dead rows).
            a.grad += w * (g - (w * g).sum(axis=-1, keepdims=True))
        return self.op(w, bw)

    def relu(self, a):
        def bw(g):
            a.grad += np.where(a.value > 0.0, g, 0.0)
        return self.op(np.maximum(a.value, 0.0), bw)

    def layer_norm(self, x, gamma, beta, eps):
        mean = x.value.mean(axis=-1, keepdims=True)
        var = ((x.value - mean) ** 2).mean(axis=-1, keepdims=True)
        inv = 1.0 / np.sqrt(var + eps)
        xhat = (x.value - mean) * inv

        def bw(g):
            gamma.grad += (g * xhat).sum(axis=0)
            beta.grad += g.sum(axis=0)
            d = g * gamma.value
            x.grad += inv * (d - d.mean(axis=-1, keepdims=True)
                             - xhat * (d * xhat).mean(axis=-1, keepdims=True))
        return self.op(xhat * gamma.value + beta.value, bw)

    def smoothed_ce(self, probs, q, n):
        """−Σ q log p / n as a scalar node."""
        p = probs.value

        def bw(g):
            probs.grad += g * np.where(q > 0.0, -q / np.where(q > 0.0, p, 1.0), 0.0) / n
        return self.op(np.array(-(q[q > 0] * np.log(p[q > 0])).sum() / n), bw)


# ----------------------------------------------------------------------------------------------
# The model (DESIGN.md conventions, the names of the trace)
# ----------------------------------------------------------------------------------------------

class Net:
    def __init__(self, cfg, vocab, weights, perturb=None):
        self.cfg, self.vocab, self.w0 = cfg, vocab, weights
        self.d_model, self.heads = cfg["d_model"], cfg["heads"]
        self.d_k = self.d_model // self.heads
        self.pre = cfg["norm"] == "pre"
        self.perturb = perturb or {}      # step name -> (index, delta) added to its value
        self.tape = Tape()
        self.weights = {n: self.tape.leaf(v) for n, v in weights.items()}
        self.steps = []                   # (name, node, per_head, hidden cells or None)

    def rec(self, name, node, per_head=False, hidden=None):
        if name in self.perturb:
            index, delta = self.perturb[name]
            node.value = node.value.copy()
            node.value[index] += delta
        self.steps.append((name, node, per_head, hidden))
        return node

    def pe(self, n):
        pe = np.zeros((n, self.d_model))
        if self.cfg["positional"] != "none":
            for p in range(n):
                for c in range(self.d_model):
                    a = p / 10000.0 ** ((c - c % 2) / self.d_model)
                    pe[p, c] = math.sin(a) if c % 2 == 0 else math.cos(a)
        return pe

    def embed(self, prefix, tokens):
        t = self.tape
        ids = np.array([self.vocab.index(x if x in self.vocab else "<unk>") for x in tokens])
        tok = self.rec(f"{prefix}tokens", t.gather_rows(self.weights["embed.E"], ids))
        pos = self.rec(f"{prefix}pos", t.leaf(self.pe(len(tokens))))
        factor = math.sqrt(self.d_model) if self.cfg["embed_scale"] else 1.0
        return self.rec(f"{prefix}sum", t.add(t.scale(tok, factor), pos))

    def ln(self, x, prefix):
        return self.tape.layer_norm(x, self.weights[f"{prefix}.gamma"],
                                    self.weights[f"{prefix}.beta"], self.cfg["eps"])

    def attention(self, p, xq, xkv, causal):
        t, W, h = self.tape, self.weights, self.heads
        nq, nk = xq.value.shape[0], xkv.value.shape[0]
        q = self.rec(f"{p}.q", t.split_heads(t.matmul(xq, W[f"{p}.W_Q"]), h), True)
        k = self.rec(f"{p}.k", t.split_heads(t.matmul(xkv, W[f"{p}.W_K"]), h), True)
        v = self.rec(f"{p}.v", t.split_heads(t.matmul(xkv, W[f"{p}.W_V"]), h), True)
        hidden = np.zeros((h, nq, nk), dtype=bool)
        if causal:
            hidden[:] = np.triu(np.ones((nq, nk), dtype=bool), k=1)
        scores = self.rec(f"{p}.scores", t.matmul(q, t.transpose_heads(k)), True, hidden)
        c = 1.0 / math.sqrt(self.d_k) if self.cfg["scale"] else 1.0
        scaled = self.rec(f"{p}.scaled", t.scale(scores, c), True, hidden)
        masked = self.rec(f"{p}.masked", t.mask(scaled, hidden), True, hidden)
        weights = self.rec(f"{p}.weights", t.softmax_rows(masked), True)
        head_out = self.rec(f"{p}.head_out", t.matmul(weights, v), True)
        concat = self.rec(f"{p}.concat", t.concat_heads(head_out))
        return self.rec(f"{p}.out", t.matmul(concat, W[f"{p}.W_O"]))

    def ffn(self, p, x):
        t, W = self.tape, self.weights
        hidden = self.rec(f"{p}.hidden", t.add(t.matmul(x, W[f"{p}.W1"]), W[f"{p}.b1"]))
        relu = self.rec(f"{p}.relu", t.relu(hidden))
        return self.rec(f"{p}.out", t.add(t.matmul(relu, W[f"{p}.W2"]), W[f"{p}.b2"]))

    def residual(self, sp, npfx, x, f):
        t = self.tape
        if self.pre:
            normed = self.rec(f"{sp}.out", self.ln(x, npfx))
            return self.rec(f"{sp}.sum", t.add(x, f(normed)))
        total = self.rec(f"{sp}.sum", t.add(x, f(x)))
        return self.rec(f"{sp}.out", self.ln(total, npfx))

    def encoder(self, x, layers, final):
        causal = self.cfg["mask"] == "causal"
        for l in range(layers):
            p = f"enc.{l}"
            x = self.residual(f"{p}.add_norm1", f"{p}.norm1", x,
                              lambda z, p=p: self.attention(f"{p}.attn", z, z, causal))
            x = self.residual(f"{p}.add_norm2", f"{p}.norm2", x,
                              lambda z, p=p: self.ffn(f"{p}.ffn", z))
        if self.pre:
            x = self.rec(final, self.ln(x, final))
        return x

    def decoder(self, x, layers, memory=None):
        for l in range(layers):
            p = f"dec.{l}"
            x = self.residual(f"{p}.add_norm1", f"{p}.norm1", x,
                              lambda z, p=p: self.attention(f"{p}.self_attn", z, z, True))
            k = 2
            if memory is not None:
                x = self.residual(f"{p}.add_norm2", f"{p}.norm2", x,
                                  lambda z, p=p: self.attention(f"{p}.cross_attn", z, memory,
                                                                False))
                k = 3
            x = self.residual(f"{p}.add_norm{k}", f"{p}.norm{k}", x,
                              lambda z, p=p: self.ffn(f"{p}.ffn", z))
        if self.pre:
            x = self.rec("final_norm", self.ln(x, "final_norm"))
        return x

    def loss(self, source, target, targets, epsilon):
        arch, layers = self.cfg["arch"], self.cfg["layers"]
        if arch == "encoder":
            x = self.encoder(self.embed("embed.", source), layers["encoder"], "final_norm")
        elif arch == "decoder":
            x = self.decoder(self.embed("embed.", source), layers["decoder"])
        else:
            mem = self.encoder(self.embed("embed.", source), layers["encoder"], "enc.final_norm")
            x = self.decoder(self.embed("dec.embed.", target), layers["decoder"], mem)
        logits = self.rec("logits", self.tape.matmul_t(x, self.weights["embed.E"]))
        probs = self.rec("probs", self.tape.softmax_rows(logits))
        V = len(self.vocab)
        q = np.zeros(probs.value.shape)
        for i, tgt in enumerate(targets):
            if tgt != -100:
                q[i] = epsilon / V
                q[i, tgt] += 1.0 - epsilon
        n = sum(1 for tgt in targets if tgt != -100)
        return self.tape.smoothed_ce(probs, q, n)


# ----------------------------------------------------------------------------------------------
# A tiny random model
# ----------------------------------------------------------------------------------------------

def weight_shapes(cfg):
    d, f = cfg["d_model"], cfg["d_ff"]
    shapes = {}

    def attn(p):
        for m in ("W_Q", "W_K", "W_V", "W_O"):
            shapes[f"{p}.{m}"] = (d, d)

    def ffn(p):
        shapes.update({f"{p}.W1": (d, f), f"{p}.b1": (f,), f"{p}.W2": (f, d), f"{p}.b2": (d,)})

    def norm(p):
        shapes.update({f"{p}.gamma": (d,), f"{p}.beta": (d,)})

    for l in range(cfg["layers"]["encoder"]):
        attn(f"enc.{l}.attn")
        ffn(f"enc.{l}.ffn")
        norm(f"enc.{l}.norm1")
        norm(f"enc.{l}.norm2")
    if cfg["layers"]["encoder"] and cfg["norm"] == "pre":
        norm("enc.final_norm" if cfg["arch"] == "encoder-decoder" else "final_norm")
    for l in range(cfg["layers"]["decoder"]):
        attn(f"dec.{l}.self_attn")
        if cfg["arch"] == "encoder-decoder":
            attn(f"dec.{l}.cross_attn")
        ffn(f"dec.{l}.ffn")
        for k in range(1, 4 if cfg["arch"] == "encoder-decoder" else 3):
            norm(f"dec.{l}.norm{k}")
    if cfg["layers"]["decoder"] and cfg["norm"] == "pre":
        norm("final_norm")
    return shapes


def random_weights(cfg, vocab, rng):
    """float32-representable float64 weights: Xavier-like matrices, perturbed norms/biases."""
    w = {"embed.E": rng.normal(0.0, 0.5, (len(vocab), cfg["d_model"]))}
    for name, shape in weight_shapes(cfg).items():
        if name.endswith("gamma"):
            w[name] = 1.0 + 0.2 * rng.normal(size=shape)
        elif len(shape) == 1:
            w[name] = 0.1 * rng.normal(size=shape)
        else:
            w[name] = rng.normal(0.0, math.sqrt(2.0 / sum(shape)), shape)
    return {n: v.astype(np.float32).astype(np.float64) for n, v in w.items()}


def finite_difference_check(cfg, vocab, weights, source, target, targets, eps_ls, net, rng):
    """Compare hand-written gradients with central differences; returns the worst rel error."""
    h = 1e-6

    def loss_with(wts=None, perturb=None):
        n = Net(cfg, vocab, wts or weights, perturb)
        return float(n.loss(source, target, targets, eps_ls).value)

    worst = 0.0
    problems = []
    checks = [("w", name, node) for name, node in net.weights.items()]
    checks += [("s", name, node) for name, node, _, _ in net.steps]
    for kind, name, node in checks:
        finite = np.argwhere(np.isfinite(node.value))
        for pick in rng.choice(len(finite), size=min(2, len(finite)), replace=False):
            idx = tuple(finite[pick])
            if kind == "w":
                plus, minus = dict(weights), dict(weights)
                plus[name] = weights[name].copy()
                plus[name][idx] += h
                minus[name] = weights[name].copy()
                minus[name][idx] -= h
                fd = (loss_with(plus) - loss_with(minus)) / (2 * h)
            else:
                fd = (loss_with(perturb={name: (idx, h)})
                      - loss_with(perturb={name: (idx, -h)})) / (2 * h)
            an = node.grad[idx]
            scale = max(np.abs(node.grad).max(), 1e-3)
            err = abs(fd - an) / scale
            worst = max(worst, err)
            if err > 1e-5:
                problems.append(f"{name}{list(idx)}: hand {an:.9g}, finite difference {fd:.9g}")
    return worst, problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="FILE.npz or FILE.json")
    ap.add_argument("--arch", default="encoder-decoder",
                    choices=["encoder", "decoder", "encoder-decoder"])
    ap.add_argument("--norm", default="post", choices=["post", "pre"])
    ap.add_argument("--mask", default="none", choices=["none", "causal"],
                    help="encoder self-attention mask")
    ap.add_argument("--no-scale", dest="scale", action="store_false")
    ap.add_argument("--embed-scale", action="store_true")
    ap.add_argument("--positional", default="sinusoidal", choices=["sinusoidal", "none"])
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=8)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--d-ff", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unknown-word", action="store_true",
                    help="one sentence word outside the vocabulary (it reads <unk>'s row)")
    ap.add_argument("--corrupt", metavar="NAME", help="spoil one entry of this gradient")
    ap.add_argument("--skip-fd", action="store_true", help="skip the finite-difference check")
    args = ap.parse_args(argv)

    arch = args.arch
    cfg = {
        "arch": arch, "d_model": args.d_model, "heads": args.heads,
        "d_k": args.d_model // args.heads, "d_ff": args.d_ff,
        "layers": {"encoder": args.layers if arch != "decoder" else 0,
                   "decoder": args.layers if arch != "encoder" else 0},
        "norm": args.norm, "positional": args.positional, "scale": args.scale,
        "embed_scale": args.embed_scale, "mask": args.mask, "eps": 1e-5, "seed": args.seed,
        "max_tokens": 64, "tokenizer": "whitespace",
    }
    vocab = ["<pad>", "<unk>", "<bos>", "<eos>", "나는", "학교에", "간다", "I", "go", "to",
             "school"]
    if arch == "encoder-decoder":
        source, target = ["나는", "학교에", "간다"], ["<bos>", "I", "go", "to", "school"]
        targets = [vocab.index(t) for t in target[1:] + ["<eos>"]]
    else:
        source, target = ["<bos>", "I", "go", "to", "school"], None
        targets = [vocab.index(t) for t in source[1:]] + [-100]

    if args.unknown_word:
        # 공원에 / park are not in the vocabulary: embedded and predicted as <unk>.
        source = [{"학교에": "공원에", "school": "park"}.get(t, t) for t in source]
        if arch != "encoder-decoder":
            targets = [vocab.index("<unk>") if i == len(source) - 2 else t
                       for i, t in enumerate(targets)]
    rng = np.random.default_rng(args.seed)
    weights = random_weights(cfg, vocab, rng)
    net = Net(cfg, vocab, weights)
    loss = net.loss(source, target, targets, args.label_smoothing)
    net.tape.backward(loss)

    if not args.skip_fd:
        worst, problems = finite_difference_check(cfg, vocab, weights, source, target, targets,
                                                  args.label_smoothing, net, rng)
        if problems:
            print("hand-written gradients disagree with finite differences:", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        print(f"finite differences agree with the hand-written backward: worst relative "
              f"error {worst:.2e} over {2 * (len(net.weights) + len(net.steps))} entries")

    arrays = {}
    step_meta = []
    for name, node, per_head, _ in net.steps:
        arrays[name] = node.value.astype(np.float32)
        arrays[f"grad.{name}"] = node.grad.astype(np.float32)
        step_meta.append({"name": name, "shape": list(node.value.shape), "per_head": per_head})
    weight_meta = []
    for name, node in net.weights.items():
        arrays[name] = node.value.astype(np.float32)
        arrays[f"grad.{name}"] = node.grad.astype(np.float32)
        weight_meta.append({"name": name, "shape": list(node.value.shape)})
    if args.corrupt:
        if args.corrupt not in arrays:
            print(f"error: no array {args.corrupt!r} to corrupt", file=sys.stderr)
            return 2
        g = arrays[args.corrupt]
        g.reshape(-1)[0] += np.float32(1e-3 * max(float(np.abs(g).max()), 1e-3))
    arrays["loss"] = np.array(loss.value, dtype=np.float32)
    arrays["loss.targets"] = np.array(targets, dtype=np.int64)
    meta = {
        "format": "qkv-export-1", "config": cfg,
        "tokens": {"source": source, "target": target}, "vocab": vocab,
        "steps": step_meta, "weights": weight_meta, "embedding_overrides": [],
        "loss": {"label_smoothing": args.label_smoothing, "reduction": "mean"},
    }
    if args.output.lower().endswith(".json"):
        def nested(a):
            if a.dtype.kind in "iu":
                return a.tolist()
            return np.where(np.isneginf(a), "-inf", a.astype(object)).tolist() \
                if np.isneginf(a).any() else a.astype(np.float64).tolist()
        doc = dict(meta)
        doc["arrays"] = {n: nested(a) for n, a in arrays.items()}
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(doc, f)
    else:
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        np.savez(args.output, **arrays)
    print(f"wrote {args.output}: {arch} {args.norm}-LN, {len(net.steps)} steps, "
          f"{len(net.weights)} weights, loss {float(loss.value):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
