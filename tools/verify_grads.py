#!/usr/bin/env python3
"""Check the gradients of a `qkv export --grads` file against PyTorch autograd (float64).

Usage:
    python3 tools/verify_grads.py FILE.npz|FILE.json [--rtol 1e-5] [--atol 1e-7] [--quiet]

    qkv export --grads SCENARIO -o /tmp/g.npz
    ~/venv-torch/bin/python tools/verify_grads.py /tmp/g.npz

Needs numpy and torch (a CPU is enough): `python3 -m venv venv && venv/bin/pip install torch`.

What it does
    Reads only the configuration, the vocabulary and the tokens from `meta`, the weights
    (`embed.E`, the `enc.*` / `dec.*` / `final_norm` matrices, biases, LayerNorm gamma/beta),
    `loss.targets` and `meta.loss` (label smoothing ε, reduction "mean"). It never reads an
    exported step or gradient as an input. It re-runs the forward pass in PyTorch float64
    under the canonical step names (DESIGN.md conventions, as tools/verify_export.py), keeping
    every step as a node of the graph (`retain_grad`), computes

        probs = softmax(logits)                                    (a node, so grad.probs exists)
        q     = ε/V everywhere, 1 − ε added on the target          (rows with target −100: none)
        loss  = −Σ_rows Σ_j q_j · log(probs_j) / N                 N = rows with a target

    which equals F.cross_entropy(logits, targets, ignore_index=-100, label_smoothing=ε), calls
    backward, and compares
      * `loss` with the recomputed loss;
      * `grad.<step>` for every step listed in meta (∂loss/∂ that node, same shape);
      * `grad.<weight>` for every weight listed in meta, `grad.embed.E` included (the table is
        tied: token lookups of both embeddings and the output projection logits = x · Eᵀ).
    Each tensor passes when max|exported − torch| ≤ atol (1e-7) or when the relative error
    max|exported − torch| / max(max|torch|, 1e-12) ≤ rtol (1e-5). Gradients at the −∞ cells of
    `masked` (and of `scaled`/`scores` there) must be exactly 0; no NaN or ±inf anywhere.

    It also checks that the exported forward steps match the recomputation (1e-4 absolute +
    1e-4 relative, as verify_export.py; a forward mismatch makes gradients meaningless) and
    that its own loss route equals F.cross_entropy (value and ∂/∂logits), and warns when
    `loss.targets` do not follow the next-token convention.

    One line is printed per tensor. Exit status: 0 every tensor matches, 1 something differs
    or is missing, 2 usage / file error (or torch / numpy missing).
"""

import argparse
import difflib
import json
import math
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as err:                                   # pragma: no cover
    print(f"error: {err}; verify_grads.py needs numpy and torch "
          "(python3 -m venv venv && venv/bin/pip install torch numpy)", file=sys.stderr)
    sys.exit(2)

torch.set_default_dtype(torch.float64)
NEG_INF = float("-inf")
F32_ROUNDOFF = 2.0 ** -24


# ----------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------

class Export:
    """One export (.npz or .json): `names`, `array(name)`, `meta`, `has(name)`."""

    def __init__(self, path):
        self.path = path
        if path.lower().endswith(".json"):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            arrays = doc.pop("arrays")
            # A scalar or the targets may sit beside `arrays` rather than in it.
            for key in ("loss", "loss.targets"):
                if key in doc and key not in arrays and not isinstance(doc[key], dict):
                    arrays[key] = doc.pop(key)
            self._get = lambda name: np.array(arrays[name], dtype=np.float64)
            self._targets = lambda: np.array(arrays["loss.targets"], dtype=np.int64)
            self.names = set(arrays)
            self.meta = doc
        else:
            npz = np.load(path)
            self._get = lambda name: np.asarray(npz[name], dtype=np.float64)
            self._targets = lambda: np.asarray(npz["loss.targets"])
            self.names = set(npz.files) - {"meta"}
            self.meta = json.loads(bytes(npz["meta"]).decode("utf-8"))

    def has(self, name):
        return name in self.names

    def array(self, name):
        return self._get(name)

    def targets(self):
        t = self._targets()
        if t.dtype.kind not in "iu":
            if not np.all(np.equal(np.mod(t, 1), 0)):
                raise ValueError(f"loss.targets are not integers: {t}")
        return t.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Forward pass in torch, every step a node
# ----------------------------------------------------------------------------------------------

class Model:
    """A torch forward pass (float64, or float32 for the noise floor) over an export's weights."""

    def __init__(self, export, dtype=torch.float64):
        self.export = export
        self.dtype = dtype
        meta = export.meta
        self.cfg = meta["config"]
        self.vocab = list(meta["vocab"])
        self.d_model = int(self.cfg["d_model"])
        self.heads = int(self.cfg["heads"])
        self.d_k = self.d_model // self.heads
        self.eps = float(self.cfg["eps"])
        self.pre_ln = self.cfg["norm"] == "pre"
        self.scale = bool(self.cfg["scale"])
        self.weights = {}             # name -> leaf tensor (requires_grad)
        self.steps = []               # (name, tensor, per_head, neg_inf_mask or None)

    def weight(self, name):
        if name not in self.weights:
            if not self.export.has(name):
                raise KeyError(f"weight {name!r} is not in the export")
            value = torch.tensor(self.export.array(name), dtype=self.dtype, requires_grad=True)
            self.weights[name] = value
        return self.weights[name]

    def record(self, name, value, per_head=False, neg_inf=None):
        if value.requires_grad and not value.is_leaf:
            value.retain_grad()
        self.steps.append((name, value, per_head, neg_inf))
        return value

    def row_of(self, token):
        """Row of embed.E; a word outside a trained vocabulary reads `<unk>`'s row."""
        if token in self.vocab:
            return self.vocab.index(token)
        if "<unk>" in self.vocab:
            return self.vocab.index("<unk>")
        raise KeyError(f"token {token!r} is not in meta.vocab (and there is no <unk>)")

    # -- building blocks -----------------------------------------------------------------------

    def positional(self, n):
        pe = np.zeros((n, self.d_model))
        if self.cfg["positional"] != "none":
            pos = np.arange(n, dtype=np.float64)
            for col in range(self.d_model):
                angle = pos / (10000.0 ** ((col - col % 2) / self.d_model))
                pe[:, col] = np.sin(angle) if col % 2 == 0 else np.cos(angle)
        # A leaf with requires_grad, so that ∂loss/∂pe (= ∂loss/∂sum) is kept.
        return torch.tensor(pe, dtype=self.dtype, requires_grad=True)

    def embed(self, prefix, tokens):
        E = self.weight("embed.E")
        ids = torch.tensor([self.row_of(t) for t in tokens], dtype=torch.long)
        tok = self.record(f"{prefix}tokens", E[ids])
        pos = self.record(f"{prefix}pos", self.positional(len(tokens)))
        factor = math.sqrt(self.d_model) if self.cfg.get("embed_scale") else 1.0
        return self.record(f"{prefix}sum", tok * factor + pos)

    def layer_norm(self, x, weight_prefix):
        gamma = self.weight(f"{weight_prefix}.gamma")
        beta = self.weight(f"{weight_prefix}.beta")
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)        # biased variance
        return (x - mean) / torch.sqrt(var + self.eps) * gamma + beta

    @staticmethod
    def softmax_rows(m):
        """Row softmax; an all-−∞ row gives zero weights and zero gradients, never NaN."""
        row_max = m.detach().max(dim=-1, keepdim=True).values    # a constant shift
        dead = torch.isneginf(row_max)
        row_max = torch.where(dead, torch.zeros_like(row_max), row_max)
        e = torch.exp(m - row_max)                                # exp(−∞) = 0, ∂ = 0
        total = e.sum(dim=-1, keepdim=True)
        return e / torch.where(dead, torch.ones_like(total), total)

    def split_heads(self, x):
        return x.reshape(x.shape[0], self.heads, self.d_k).transpose(0, 1)   # h × n × d_k

    def attention(self, prefix, x_q, x_kv, causal):
        n_q, n_k = x_q.shape[0], x_kv.shape[0]
        q = self.record(f"{prefix}.q", self.split_heads(x_q @ self.weight(f"{prefix}.W_Q")),
                        per_head=True)
        k = self.record(f"{prefix}.k", self.split_heads(x_kv @ self.weight(f"{prefix}.W_K")),
                        per_head=True)
        v = self.record(f"{prefix}.v", self.split_heads(x_kv @ self.weight(f"{prefix}.W_V")),
                        per_head=True)
        hidden = torch.zeros((n_q, n_k), dtype=torch.bool)
        if causal:
            hidden = torch.triu(torch.ones((n_q, n_k), dtype=torch.bool), diagonal=1)
        neg_inf = hidden.expand(self.heads, n_q, n_k).numpy()
        scores = self.record(f"{prefix}.scores", q @ k.transpose(1, 2), per_head=True,
                             neg_inf=neg_inf)
        scaled = scores / math.sqrt(self.d_k) if self.scale else scores.clone()
        scaled = self.record(f"{prefix}.scaled", scaled, per_head=True, neg_inf=neg_inf)
        masked = self.record(f"{prefix}.masked", scaled.masked_fill(hidden, NEG_INF),
                             per_head=True, neg_inf=neg_inf)
        weights = self.record(f"{prefix}.weights", self.softmax_rows(masked), per_head=True)
        head_out = self.record(f"{prefix}.head_out", weights @ v, per_head=True)
        concat = self.record(f"{prefix}.concat", head_out.transpose(0, 1).reshape(n_q, -1))
        return self.record(f"{prefix}.out", concat @ self.weight(f"{prefix}.W_O"))

    def ffn(self, prefix, x):
        hidden = self.record(f"{prefix}.hidden",
                             x @ self.weight(f"{prefix}.W1") + self.weight(f"{prefix}.b1"))
        relu = self.record(f"{prefix}.relu", torch.relu(hidden))
        return self.record(f"{prefix}.out",
                           relu @ self.weight(f"{prefix}.W2") + self.weight(f"{prefix}.b2"))

    def residual(self, step_prefix, norm_prefix, x, sublayer):
        """Add & Norm around `sublayer`: post-LN LN(x + f(x)) or pre-LN x + f(LN(x))."""
        if self.pre_ln:
            normed = self.record(f"{step_prefix}.out", self.layer_norm(x, norm_prefix))
            return self.record(f"{step_prefix}.sum", x + sublayer(normed))
        total = self.record(f"{step_prefix}.sum", x + sublayer(x))
        return self.record(f"{step_prefix}.out", self.layer_norm(total, norm_prefix))

    # -- stacks --------------------------------------------------------------------------------

    def encoder(self, x, layers, final_norm_name):
        causal = self.cfg.get("mask", "none") == "causal"
        for l in range(layers):
            p = f"enc.{l}"
            x = self.residual(f"{p}.add_norm1", f"{p}.norm1", x,
                              lambda z, p=p: self.attention(f"{p}.attn", z, z, causal))
            x = self.residual(f"{p}.add_norm2", f"{p}.norm2", x,
                              lambda z, p=p: self.ffn(f"{p}.ffn", z))
        if self.pre_ln:
            x = self.record(final_norm_name, self.layer_norm(x, final_norm_name))
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
        if self.pre_ln:
            x = self.record("final_norm", self.layer_norm(x, "final_norm"))
        return x

    def run(self, source, target):
        """Forward pass up to `probs`; returns (logits, probs)."""
        arch = self.cfg["arch"]
        layers = self.cfg["layers"]
        if arch == "encoder":
            x = self.encoder(self.embed("embed.", source), layers["encoder"], "final_norm")
        elif arch == "decoder":
            x = self.decoder(self.embed("embed.", source), layers["decoder"])
        elif arch == "encoder-decoder":
            if target is None:
                raise KeyError("encoder-decoder export without meta.tokens.target")
            memory = self.encoder(self.embed("embed.", source), layers["encoder"],
                                  "enc.final_norm")
            x = self.decoder(self.embed("dec.embed.", target), layers["decoder"], memory)
        else:
            raise KeyError(f"unknown arch {arch!r}")
        logits = self.record("logits", x @ self.weight("embed.E").T)
        probs = self.record("probs", self.softmax_rows(logits))
        return logits, probs


def smoothed_targets(targets, vocab_size, epsilon, dtype=torch.float64):
    """q: rows × V, ε/V everywhere plus 1 − ε on the target; all-zero rows where target −100."""
    q = torch.zeros((len(targets), vocab_size), dtype=dtype)
    for i, t in enumerate(targets):
        if t != -100:
            q[i, :] = epsilon / vocab_size
            q[i, t] += 1.0 - epsilon
    return q


# ----------------------------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------------------------

def compare(got, want, atol, rtol):
    """(max_abs, rel, problems): problems lists NaN/inf/shape issues; pass decided by caller."""
    problems = []
    if got.shape != want.shape:
        return math.inf, math.inf, [f"shape {list(got.shape)} != expected {list(want.shape)}"]
    if np.isnan(got).any():
        problems.append(f"{int(np.isnan(got).sum())} NaN")
    if np.isinf(got).any():
        problems.append(f"{int(np.isinf(got).sum())} ±inf")
    finite = np.isfinite(got)
    diff = np.abs(np.where(finite, got, 0.0) - want)
    max_abs = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(want).max()) if want.size else 0.0
    rel = max_abs / max(scale, 1e-12)
    if not (max_abs <= atol or rel <= rtol):
        problems.append(f"exceeds tolerance (rel {rel:.2e} > {rtol:g} and abs "
                        f"{max_abs:.2e} > {atol:g})")
    return max_abs, rel, problems


def expected_targets(cfg, vocab, source, target):
    """loss.targets of the next-token convention (DESIGN.md), or None if not known."""
    def vid(tok):
        if tok in vocab:
            return vocab.index(tok)
        return vocab.index("<unk>") if "<unk>" in vocab else None
    if cfg["arch"] == "encoder-decoder" and target is not None:
        follow = list(target[1:]) + ["<eos>"]
    elif cfg["arch"] == "decoder":
        return [vid(t) for t in source[1:]] + [-100]
    else:
        return None
    return [vid(t) for t in follow]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", help="written by `qkv export --grads … -o FILE.npz` (or FILE.json)")
    ap.add_argument("--rtol", type=float, default=1e-5,
                    help="relative tolerance: max|Δ| / max|torch| (1e-5)")
    ap.add_argument("--atol", type=float, default=1e-7,
                    help="absolute tolerance, passes a tensor by itself (1e-7)")
    ap.add_argument("--f32-factor", type=float, default=0.0,
                    help="also pass a tensor whose relative error is at most this multiple of "
                         "PyTorch's own float32 error on the same weights, floored at 2^-24 "
                         "(0: off)")
    ap.add_argument("--forward-tol", type=float, default=1e-4,
                    help="forward steps: |Δ| ≤ tol + tol·|value| (1e-4)")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    args = ap.parse_args(argv)

    try:
        ex = Export(args.file)
        meta = ex.meta
        cfg = meta["config"]
        source = list(meta["tokens"]["source"])
        target = meta["tokens"].get("target")
        target = list(target) if target is not None else None
        loss_meta = meta.get("loss")
        if not isinstance(loss_meta, dict):
            raise KeyError("meta.loss is missing: was the file written with --grads?")
        epsilon = float(loss_meta.get("label_smoothing", 0.0))
        reduction = loss_meta.get("reduction", "mean")
        if not ex.has("loss") or not ex.has("loss.targets"):
            raise KeyError("`loss` / `loss.targets` missing: was the file written with --grads?")
        targets = ex.targets()
        exported_loss = ex.array("loss")
    except (OSError, KeyError, ValueError, TypeError) as err:
        print(f"error: cannot read {args.file}: {err}", file=sys.stderr)
        return 2

    vocab = list(meta["vocab"])
    print(f"{args.file}: arch={cfg['arch']} d_model={cfg['d_model']} heads={cfg['heads']} "
          f"d_ff={cfg['d_ff']} layers={cfg['layers']} norm={cfg['norm']} "
          f"positional={cfg['positional']} scale={cfg['scale']} "
          f"embed_scale={cfg.get('embed_scale')} mask={cfg.get('mask')} eps={cfg['eps']}")
    print(f"source ({len(source)}): {source}")
    if target is not None:
        print(f"target ({len(target)}): {target}")
    print(f"loss: label_smoothing={epsilon} reduction={reduction} targets={targets.tolist()}")

    failures, warnings = [], []
    if reduction != "mean":
        failures.append(f"meta.loss.reduction {reduction!r}: only 'mean' is supported")

    model = Model(ex)
    try:
        logits, probs = model.run(source, target)
    except KeyError as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2

    # -- loss ------------------------------------------------------------------------------------
    V = logits.shape[1]
    if targets.shape != (logits.shape[0],):
        print(f"error: loss.targets has shape {list(targets.shape)}, logits has "
              f"{logits.shape[0]} rows", file=sys.stderr)
        return 2
    bad = [int(t) for t in targets if t != -100 and not 0 <= t < V]
    if bad:
        print(f"error: loss.targets {bad} are outside the vocabulary 0..{V - 1} and not -100",
              file=sys.stderr)
        return 2
    predicted = int((targets != -100).sum())
    if predicted == 0:
        print("error: every loss target is -100: nothing is predicted", file=sys.stderr)
        return 2
    want_targets = expected_targets(cfg, vocab, source, target)
    if want_targets is not None and want_targets != targets.tolist():
        warnings.append(f"loss.targets {targets.tolist()} differ from the next-token "
                        f"convention {want_targets}")
    q = smoothed_targets(targets.tolist(), V, epsilon)
    zero = ((probs.detach() == 0.0) & (q > 0.0)).nonzero().tolist()
    if zero:
        print(f"error: probs underflow to 0 at (row, id) {zero[:5]} where the loss needs "
              "log(probs): the loss is infinite even in float64", file=sys.stderr)
        return 2
    loss = -(q * torch.log(probs)).sum() / predicted
    loss.backward()

    # Self-check: the probs route equals F.cross_entropy, value and ∂/∂logits.
    lg = logits.detach().clone().requires_grad_(True)
    ce = F.cross_entropy(lg, torch.tensor(targets), ignore_index=-100,
                         label_smoothing=epsilon, reduction="mean")
    ce.backward()
    self_diff = max(abs(ce.item() - loss.item()),
                    float((lg.grad - logits.grad).abs().max()))
    if self_diff > 1e-10:
        failures.append(f"internal: probs route differs from F.cross_entropy by {self_diff:.2e}")

    # The same graph in float32 from the same weights: PyTorch's own float32 error against
    # float64 is the noise floor an f32 engine can be judged by. Its loss is F.cross_entropy
    # on the logits (log-softmax: what a PyTorch user runs; the probs route loses digits in
    # float32 when the loss is near 0), so grad.probs has no float32 floor.
    m32 = Model(ex, torch.float32)
    logits32, _ = m32.run(source, target)
    loss32 = F.cross_entropy(logits32, torch.tensor(targets), ignore_index=-100,
                             label_smoothing=epsilon, reduction="mean")
    loss32.backward()
    floor = {}
    for (name, node), (_, node32) in zip(((n, t) for n, t, *_ in model.steps),
                                         ((n, t) for n, t, *_ in m32.steps)):
        if node.grad is not None and node32.grad is not None:
            floor[f"grad.{name}"] = node32.grad.double().numpy()
    for name, w in m32.weights.items():
        if w.grad is not None:
            floor[f"grad.{name}"] = w.grad.double().numpy()
    floor["loss"] = np.array([loss32.item()])

    def f32_rel(gname, want):
        if gname not in floor or floor[gname].shape != want.shape:
            return None
        return float(np.abs(floor[gname] - want).max()) / max(float(np.abs(want).max()), 1e-12)

    rows = []                         # (name, exported array, torch array, extra check)

    ratios = []                       # (engine rel / torch float32 rel, name)

    def judge(name, got, want):
        """compare() plus the float32 noise floor: (max_abs, rel, rel32, problems)."""
        max_abs, rel, problems = compare(got, want, args.atol, args.rtol)
        rel32 = f32_rel(name, want)
        # Below float32's unit roundoff (2^-24 ≈ 6e-8) both are exact for the purpose; a
        # tensor without a float32 twin (grad.probs) gets that roundoff as its floor.
        floor32 = max(rel32 if rel32 is not None else 0.0, F32_ROUNDOFF)
        if rel32 is not None and np.isfinite(rel):
            ratios.append((rel / floor32, name))
        if (args.f32_factor > 0 and problems and problems[-1].startswith("exceeds")
                and rel <= args.f32_factor * floor32):
            problems.pop()            # within the allowed multiple of PyTorch's float32 error
        return max_abs, rel, rel32, problems

    def line(status, name, shape, max_abs, rel, rel32, problems):
        if status != "ok" or not args.quiet:
            f32 = f" (torch f32 {rel32:.1e})" if rel32 is not None else ""
            print(f"{status:<5} {name:<40} {str(shape):<14} max|Δ|={max_abs:.3e} "
                  f"rel={rel:.3e}{f32}" + ("  " + "; ".join(problems) if problems else ""))

    worst = (0.0, None)
    worst_rel = (0.0, None)
    got_loss = np.asarray(exported_loss, dtype=np.float64).reshape(-1)
    if got_loss.size != 1:
        failures.append(f"loss: expected a scalar, got shape {list(exported_loss.shape)}")
    else:
        max_abs, rel, rel32, problems = judge("loss", got_loss, np.array([loss.item()]))
        line("FAIL" if problems else "ok", "loss", [], max_abs, rel, rel32, problems)
        print(f"      loss exported {got_loss[0]:.9g}, torch {loss.item():.9g} "
              f"(F.cross_entropy {ce.item():.9g})")
        if problems:
            failures.append("loss: " + "; ".join(problems))

    # -- forward steps and their gradients ------------------------------------------------------
    exported_steps = meta.get("steps", [])
    exp_names = [s["name"] for s in exported_steps]
    my_names = [name for name, *_ in model.steps]
    if exp_names != my_names:
        failures.append("step list differs (names/order)")
        print("STEP LIST DIFFERS (--- recomputed, +++ exported):")
        for d in difflib.unified_diff(my_names, exp_names, "recomputed", "exported",
                                      lineterm="", n=1):
            print("   ", d)

    forward_worst = (0.0, None)
    for name, node, per_head, neg_inf in model.steps:
        value = node.detach().numpy()
        if ex.has(name):
            got = ex.array(name)
            if got.shape != value.shape:
                failures.append(f"{name}: array {list(got.shape)} != expected "
                                f"{list(value.shape)}")
            else:
                fin = np.isfinite(value)
                same_inf = bool((np.isneginf(got) == np.isneginf(value)).all())
                d = np.abs(np.where(fin, got, 0.0) - np.where(fin, value, 0.0))
                over = d > args.forward_tol * (1.0 + np.abs(np.where(fin, value, 0.0)))
                if not same_inf or over.any() or np.isnan(got).any():
                    failures.append(f"{name}: forward value differs (max|Δ|={d.max():.3e}"
                                    f"{'' if same_inf else ', −inf pattern differs'})")
                    print(f"FAIL  {name:<40} forward value differs, max|Δ|={d.max():.3e}")
                if d.size and d.max() > forward_worst[0]:
                    forward_worst = (float(d.max()), name)
        else:
            failures.append(f"{name}: forward value not exported")

        gname = f"grad.{name}"
        grad = node.grad.numpy() if node.grad is not None else np.zeros_like(value)
        if not ex.has(gname):
            print(f"MISSING {gname}")
            failures.append(f"{gname}: not exported")
            continue
        got = ex.array(gname)
        max_abs, rel, rel32, problems = judge(gname, got, grad)
        if neg_inf is not None and got.shape == grad.shape:
            nonzero = int((got[neg_inf] != 0.0).sum())
            if nonzero:
                problems.append(f"{nonzero} gradients at −∞ cells are not exactly 0")
        status = "FAIL" if problems else "ok"
        line(status, gname, list(got.shape), max_abs, rel, rel32, problems)
        if problems:
            failures.append(f"{gname}: " + "; ".join(problems))
        if max_abs > worst[0] or worst[1] is None:
            worst = (max_abs, gname)
        if rel > worst_rel[0] or worst_rel[1] is None:
            worst_rel = (rel, gname)
        rows.append(gname)

    # -- weight gradients ------------------------------------------------------------------------
    declared = [w["name"] for w in meta.get("weights", [])]
    for name in declared:
        gname = f"grad.{name}"
        if name not in model.weights:
            warnings.append(f"weight {name} is exported but not used by the forward pass")
            want = np.zeros(tuple(ex.array(name).shape))
        else:
            w = model.weights[name]
            want = w.grad.numpy() if w.grad is not None else np.zeros(tuple(w.shape))
        if not ex.has(gname):
            print(f"MISSING {gname}")
            failures.append(f"{gname}: not exported")
            continue
        got = ex.array(gname)
        max_abs, rel, rel32, problems = judge(gname, got, want)
        status = "FAIL" if problems else "ok"
        line(status, gname, list(got.shape), max_abs, rel, rel32, problems)
        if problems:
            failures.append(f"{gname}: " + "; ".join(problems))
        if max_abs > worst[0] or worst[1] is None:
            worst = (max_abs, gname)
        if rel > worst_rel[0] or worst_rel[1] is None:
            worst_rel = (rel, gname)
        rows.append(gname)
    for name in model.weights.keys() - set(declared):
        failures.append(f"weight {name} is used by the forward pass but not listed in meta")

    extra = sorted(n for n in ex.names if n.startswith("grad.") and n not in rows)
    if extra:
        warnings.append(f"gradients of nothing recomputed: {extra}")

    print()
    for w in warnings:
        print(f"warning: {w}")
    print(f"{len(rows)} gradients compared (+ loss): largest |Δ| {worst[0]:.3e} in {worst[1]}, "
          f"largest relative error {worst_rel[0]:.3e} in {worst_rel[1]}")
    if ratios:
        ratio, name = max(ratios)
        print(f"engine error / PyTorch float32 error (same weights, against float64, floor "
              f"2^-24): median "
              f"{sorted(r for r, _ in ratios)[len(ratios) // 2]:.2f}, largest {ratio:.2f} "
              f"in {name}")
    print(f"forward: largest |Δ| {forward_worst[0]:.3e} in {forward_worst[1]}; torch loss route "
          f"vs F.cross_entropy {self_diff:.1e}")
    if failures:
        print(f"FAILED: {len(failures)} problem(s)")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("OK: loss and every gradient match PyTorch autograd (float64)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
