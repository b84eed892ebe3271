#!/usr/bin/env python3
"""Independently re-compute a `qkv export` .npz (or .json) file with numpy (float64) and compare.

Usage:
    python3 tools/verify_export.py FILE.npz|FILE.json [--atol 1e-4] [--rtol 1e-4] [--quiet]

    qkv export --preset tiny --arch encoder-decoder -o /tmp/t.npz
    python3 tools/verify_export.py /tmp/t.npz

What it does
    Reads only the configuration, the vocabulary and the tokens from the `meta` JSON, plus the
    weights (`embed.E`, `enc.*`/`dec.*` matrices, biases, LayerNorm gamma/beta) from the npz.
    It never reads an exported intermediate step as an input: it starts from rows of `embed.E`
    and runs the whole forward pass itself, following the math conventions of DESIGN.md
    (row vectors, per-head slices of W_Q/W_K/W_V, scores/√d_k, IEEE −inf causal mask,
    row softmax, post-LN or pre-LN with a final LayerNorm, tied output projection).

    Then it checks
      * the exported step list equals the re-computed one (same names, same order, same shapes),
        and every array in the npz has the shape its meta entry declares;
      * every step value: max |exported − recomputed| per step, failing when an element exceeds
        atol + rtol·|recomputed| (i.e. 1e-4 absolute, relative for large values);
      * −inf entries match −inf exactly, attention weights of masked entries are exactly 0,
        no NaN or +inf anywhere;
      * meta bookkeeping (row/column labels, `per_head`, `fully_masked_rows`, step inputs that
        refer to earlier steps or weights); these are reported as warnings only.

    One line is printed per step. The exit status is 0 when every step matches, 1 when any
    value or the step list differs, 2 on a usage / file error.
"""

import argparse
import difflib
import json
import math
import sys

import numpy as np


# ----------------------------------------------------------------------------------------------
# Re-computation
# ----------------------------------------------------------------------------------------------

class Step:
    """One re-computed trace step with what is needed to compare it."""

    def __init__(self, name, value, per_head, rows, cols, zero_mask=None, fully_masked=()):
        self.name = name
        self.value = value            # float64 array (h × n × m for per-head steps)
        self.per_head = per_head
        self.rows = rows              # expected row labels (tokens) or None
        self.cols = cols              # expected column labels or None (only the count is known)
        self.zero_mask = zero_mask    # boolean array: entries that must be exactly 0
        self.fully_masked = list(fully_masked)


class Model:
    """A float64 numpy forward pass over the weights of one export."""

    def __init__(self, npz, meta):
        self.npz = npz
        self.cfg = meta["config"]
        self.vocab = list(meta["vocab"])
        self.d_model = int(self.cfg["d_model"])
        self.heads = int(self.cfg["heads"])
        self.d_k = self.d_model // self.heads
        self.eps = float(self.cfg["eps"])
        self.pre_ln = self.cfg["norm"] == "pre"
        self.scale = bool(self.cfg["scale"])
        self.steps = []
        self.weights_used = []        # (name, shape) of every weight the forward pass reads

    # -- plumbing ------------------------------------------------------------------------------

    def weight(self, name):
        arr = np.asarray(self.npz[name], dtype=np.float64)
        self.weights_used.append((name, list(arr.shape)))
        return arr

    def record(self, name, value, rows, cols=None, per_head=False, **extra):
        self.steps.append(Step(name, value, per_head, rows, cols, **extra))
        return value

    def row_of(self, token):
        """Row of embed.E; a word outside a trained vocabulary reads `<unk>`'s row."""
        if token in self.vocab:
            return self.vocab.index(token)
        if "<unk>" in self.vocab:
            return self.vocab.index("<unk>")
        raise SystemExit(f"token {token!r} is not in meta.vocab (and there is no <unk>)")

    # -- building blocks -----------------------------------------------------------------------

    def positional(self, n):
        pe = np.zeros((n, self.d_model))
        if self.cfg["positional"] == "none":
            return pe
        pos = np.arange(n, dtype=np.float64)[:, None]
        for col in range(self.d_model):
            two_i = col - (col % 2)
            angle = pos[:, 0] / (10000.0 ** (two_i / self.d_model))
            pe[:, col] = np.sin(angle) if col % 2 == 0 else np.cos(angle)
        return pe

    def embed(self, prefix, tokens):
        E = self.weight("embed.E")
        tok = E[[self.row_of(t) for t in tokens]]
        pos = self.positional(len(tokens))
        factor = math.sqrt(self.d_model) if self.cfg.get("embed_scale") else 1.0
        self.record(f"{prefix}tokens", tok, tokens)
        self.record(f"{prefix}pos", pos, tokens)
        return self.record(f"{prefix}sum", tok * factor + pos, tokens)

    def layer_norm(self, x, weight_prefix):
        gamma = self.weight(f"{weight_prefix}.gamma")
        beta = self.weight(f"{weight_prefix}.beta")
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)     # biased variance
        return (x - mean) / np.sqrt(var + self.eps) * gamma + beta

    @staticmethod
    def softmax_rows(m):
        """Row softmax; a row that is entirely −inf gives all-zero weights (never NaN)."""
        row_max = m.max(axis=-1, keepdims=True)
        dead = np.isneginf(row_max)
        row_max = np.where(dead, 0.0, row_max)
        e = np.exp(m - row_max)                                  # exp(−inf) == 0 exactly
        total = e.sum(axis=-1, keepdims=True)
        return np.where(dead, 0.0, e / np.where(dead, 1.0, total))

    def split_heads(self, x):
        n = x.shape[0]
        return x.reshape(n, self.heads, self.d_k).transpose(1, 0, 2)   # h × n × d_k

    def attention(self, prefix, x_q, x_kv, q_tokens, kv_tokens, causal):
        W_Q = self.weight(f"{prefix}.W_Q")
        W_K = self.weight(f"{prefix}.W_K")
        W_V = self.weight(f"{prefix}.W_V")
        W_O = self.weight(f"{prefix}.W_O")
        q = self.split_heads(x_q @ W_Q)
        k = self.split_heads(x_kv @ W_K)
        v = self.split_heads(x_kv @ W_V)
        n_q, n_k = len(q_tokens), len(kv_tokens)
        mask = np.zeros((n_q, n_k))
        if causal:
            mask[np.triu(np.ones((n_q, n_k), dtype=bool), k=1)] = -np.inf
        masked_entries = np.broadcast_to(np.isneginf(mask), (self.heads, n_q, n_k))
        fully = [i for i in range(n_q) if np.isneginf(mask[i]).all()]

        scores = q @ k.transpose(0, 2, 1)
        scaled = scores / math.sqrt(self.d_k) if self.scale else scores.copy()
        masked = scaled + mask
        weights = self.softmax_rows(masked)
        head_out = weights @ v
        concat = head_out.transpose(1, 0, 2).reshape(n_q, self.d_model)
        out = concat @ W_O

        dk_cols = None
        self.record(f"{prefix}.q", q, q_tokens, dk_cols, per_head=True)
        self.record(f"{prefix}.k", k, kv_tokens, dk_cols, per_head=True)
        self.record(f"{prefix}.v", v, kv_tokens, dk_cols, per_head=True)
        self.record(f"{prefix}.scores", scores, q_tokens, kv_tokens, per_head=True)
        self.record(f"{prefix}.scaled", scaled, q_tokens, kv_tokens, per_head=True)
        self.record(f"{prefix}.masked", masked, q_tokens, kv_tokens, per_head=True,
                    fully_masked=fully)
        self.record(f"{prefix}.weights", weights, q_tokens, kv_tokens, per_head=True,
                    zero_mask=masked_entries, fully_masked=fully)
        self.record(f"{prefix}.head_out", head_out, q_tokens, dk_cols, per_head=True)
        self.record(f"{prefix}.concat", concat, q_tokens)
        return self.record(f"{prefix}.out", out, q_tokens)

    def ffn(self, prefix, x, tokens):
        hidden = x @ self.weight(f"{prefix}.W1") + self.weight(f"{prefix}.b1")
        relu = np.maximum(hidden, 0.0)
        out = relu @ self.weight(f"{prefix}.W2") + self.weight(f"{prefix}.b2")
        self.record(f"{prefix}.hidden", hidden, tokens)
        self.record(f"{prefix}.relu", relu, tokens)
        return self.record(f"{prefix}.out", out, tokens)

    def residual(self, step_prefix, norm_prefix, x, tokens, sublayer):
        """Add & Norm around `sublayer` (a function of its input), post-LN or pre-LN."""
        if self.pre_ln:
            normed = self.record(f"{step_prefix}.out", self.layer_norm(x, norm_prefix), tokens)
            return self.record(f"{step_prefix}.sum", x + sublayer(normed), tokens)
        total = self.record(f"{step_prefix}.sum", x + sublayer(x), tokens)
        return self.record(f"{step_prefix}.out", self.layer_norm(total, norm_prefix), tokens)

    # -- stacks --------------------------------------------------------------------------------

    def encoder(self, x, tokens, layers, final_norm_name):
        causal = self.cfg.get("mask", "none") == "causal"
        for l in range(layers):
            p = f"enc.{l}"
            x = self.residual(f"{p}.add_norm1", f"{p}.norm1", x, tokens,
                              lambda z, p=p: self.attention(f"{p}.attn", z, z, tokens, tokens,
                                                            causal))
            x = self.residual(f"{p}.add_norm2", f"{p}.norm2", x, tokens,
                              lambda z, p=p: self.ffn(f"{p}.ffn", z, tokens))
        if self.pre_ln:
            x = self.record(final_norm_name, self.layer_norm(x, final_norm_name), tokens)
        return x

    def decoder(self, x, tokens, layers, memory=None, memory_tokens=None):
        for l in range(layers):
            p = f"dec.{l}"
            x = self.residual(f"{p}.add_norm1", f"{p}.norm1", x, tokens,
                              lambda z, p=p: self.attention(f"{p}.self_attn", z, z, tokens,
                                                            tokens, causal=True))
            k = 2
            if memory is not None:
                x = self.residual(f"{p}.add_norm2", f"{p}.norm2", x, tokens,
                                  lambda z, p=p: self.attention(f"{p}.cross_attn", z, memory,
                                                                tokens, memory_tokens,
                                                                causal=False))
                k = 3
            x = self.residual(f"{p}.add_norm{k}", f"{p}.norm{k}", x, tokens,
                              lambda z, p=p: self.ffn(f"{p}.ffn", z, tokens))
        if self.pre_ln:
            x = self.record("final_norm", self.layer_norm(x, "final_norm"), tokens)
        return x

    def run(self, source, target):
        arch = self.cfg["arch"]
        layers = self.cfg["layers"]
        if arch == "encoder":
            x = self.encoder(self.embed("embed.", source), source, layers["encoder"], "final_norm")
            out_tokens = source
        elif arch == "decoder":
            x = self.decoder(self.embed("embed.", source), source, layers["decoder"])
            out_tokens = source
        elif arch == "encoder-decoder":
            memory = self.encoder(self.embed("embed.", source), source, layers["encoder"],
                                  "enc.final_norm")
            x = self.decoder(self.embed("dec.embed.", target), target, layers["decoder"],
                             memory, source)
            out_tokens = target
        else:
            raise SystemExit(f"unknown arch {arch!r}")
        logits = x @ self.weight("embed.E").T
        self.record("logits", logits, out_tokens, self.vocab)
        self.record("probs", self.softmax_rows(logits), out_tokens, self.vocab)
        return self.steps


# ----------------------------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------------------------

def compare_values(mine, got, atol, rtol):
    """Return (max_abs_diff, worst_ratio, problems) for one step; ratio > 1 means failure."""
    problems = []
    if np.isnan(got).any():
        problems.append(f"{int(np.isnan(got).sum())} NaN entries")
    if np.isposinf(got).any():
        problems.append(f"{int(np.isposinf(got).sum())} +inf entries")
    ninf_mine, ninf_got = np.isneginf(mine), np.isneginf(got)
    if (ninf_mine != ninf_got).any():
        problems.append(f"−inf pattern differs: {int(ninf_mine.sum())} expected, "
                        f"{int(ninf_got.sum())} exported, "
                        f"{int((ninf_mine != ninf_got).sum())} positions disagree")
    both = np.isfinite(mine) & np.isfinite(got)
    if not both.any():
        return 0.0, 0.0, problems
    diff = np.abs(got[both] - mine[both])
    ratio = diff / (atol + rtol * np.abs(mine[both]))
    return float(diff.max()), float(ratio.max()), problems


def label_warnings(step, meta_step, value_shape):
    """Row/column labels, per_head and fully_masked_rows against what the arrays imply."""
    warnings = []
    rows, cols = meta_step.get("rows"), meta_step.get("cols")
    n_rows, n_cols = value_shape[-2], value_shape[-1]
    if rows is not None and step.rows is not None and list(rows) != list(step.rows):
        warnings.append(f"rows {rows} != expected {list(step.rows)}")
    if cols is not None and step.per_head:
        # Per-head steps carry one list of column labels per head.
        if len(cols) != value_shape[0]:
            warnings.append(f"{len(cols)} column label lists but {value_shape[0]} heads")
        for h, head_cols in enumerate(cols):
            if step.cols is not None and list(head_cols) != list(step.cols):
                warnings.append(f"head {h} cols {head_cols} != expected {list(step.cols)}")
            elif len(head_cols) != n_cols:
                warnings.append(f"head {h}: {len(head_cols)} column labels but {n_cols} columns")
    elif cols is not None:
        if step.cols is not None and list(cols) != list(step.cols):
            warnings.append(f"cols {cols} != expected {list(step.cols)}")
        elif len(cols) != n_cols:
            warnings.append(f"{len(cols)} column labels but arrays have {n_cols} columns")
    if rows is not None and len(rows) != n_rows:
        warnings.append(f"{len(rows)} row labels but arrays have {n_rows} rows")
    if bool(meta_step.get("per_head")) != step.per_head:
        warnings.append(f"per_head={meta_step.get('per_head')} expected {step.per_head}")
    fmr = meta_step.get("fully_masked_rows")
    if fmr is not None and sorted(fmr) != sorted(step.fully_masked):
        warnings.append(f"fully_masked_rows {fmr} != expected {step.fully_masked}")
    return warnings


class JsonExport:
    """A `qkv export -o FILE.json` document, read like the npz: `files`, `[name]`, `meta`.

    Non-finite values are the strings "-inf", "inf", "nan"; numpy converts them with
    dtype=float32.
    """

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        self.arrays = doc.pop("arrays")
        self.meta = doc
        self.files = list(self.arrays) + ["meta"]

    def __getitem__(self, name):
        return np.array(self.arrays[name], dtype=np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("npz", help="file written by `qkv export -o FILE.npz` (or FILE.json)")
    ap.add_argument("--atol", type=float, default=1e-4, help="absolute tolerance (1e-4)")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="relative tolerance added for large values (1e-4)")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    args = ap.parse_args(argv)

    try:
        if args.npz.lower().endswith(".json"):
            npz = JsonExport(args.npz)
            meta = npz.meta
        else:
            npz = np.load(args.npz)
            meta = json.loads(bytes(npz["meta"]).decode("utf-8"))
    except (OSError, KeyError, ValueError) as err:
        print(f"error: cannot read {args.npz}: {err}", file=sys.stderr)
        return 2

    cfg = meta["config"]
    source = list(meta["tokens"]["source"])
    target = meta["tokens"].get("target")
    print(f"{args.npz}: arch={cfg['arch']} d_model={cfg['d_model']} heads={cfg['heads']} "
          f"d_ff={cfg['d_ff']} layers={cfg['layers']} norm={cfg['norm']} "
          f"positional={cfg['positional']} scale={cfg['scale']} "
          f"embed_scale={cfg.get('embed_scale')} mask={cfg.get('mask')} eps={cfg['eps']}")
    print(f"source ({len(source)}): {source}")
    if target is not None:
        print(f"target ({len(target)}): {target}")

    failures, warnings = [], []
    if int(cfg["d_model"]) % int(cfg["heads"]) or \
            int(cfg.get("d_k", cfg["d_model"] // cfg["heads"])) != cfg["d_model"] // cfg["heads"]:
        failures.append(f"config d_k={cfg.get('d_k')} inconsistent with d_model/heads")
    if len(set(meta["vocab"])) != len(meta["vocab"]):
        warnings.append("meta.vocab has duplicate entries")
    if meta.get("embedding_overrides"):
        warnings.append(f"embedding_overrides present: {meta['embedding_overrides']} "
                        "(checked only through embed.E)")

    model = Model(npz, meta)
    mine = model.run(source, target)

    # -- step list: names, order, shapes -----------------------------------------------------
    exported = meta["steps"]
    exp_names = [s["name"] for s in exported]
    my_names = [s.name for s in mine]
    if exp_names != my_names:
        failures.append("step list differs (names/order)")
        print("STEP LIST DIFFERS (--- recomputed, +++ exported):")
        for line in difflib.unified_diff(my_names, exp_names, "recomputed", "exported",
                                         lineterm="", n=1):
            print("   ", line)
    exp_by_name = {s["name"]: s for s in exported}

    # -- weights list ----------------------------------------------------------------------------
    used = {}
    for name, shape in model.weights_used:
        used.setdefault(name, shape)
    declared = {w["name"]: list(w["shape"]) for w in meta["weights"]}
    for name, shape in used.items():
        if declared.get(name) != shape:
            failures.append(f"weight {name}: declared {declared.get(name)}, array {shape}")
    for name in declared.keys() - used.keys():
        warnings.append(f"weight {name} is exported but not used by the forward pass")
    # `qkv export --grads` adds the loss and gradients; tools/verify_grads.py checks those.
    extra = {n for n in set(npz.files) - {"meta"} - set(declared) - set(exp_names)
             if not n.startswith("grad.") and n not in ("loss", "loss.targets")}
    if extra:
        warnings.append(f"npz arrays not declared in meta: {sorted(extra)}")

    # -- values ----------------------------------------------------------------------------------
    worst = (0.0, None)
    label_notes = {}                  # warning text -> steps it applies to
    for step in mine:
        meta_step = exp_by_name.get(step.name)
        if meta_step is None or step.name not in npz.files:
            print(f"MISSING {step.name}")
            failures.append(f"{step.name}: not exported")
            continue
        got = np.asarray(npz[step.name], dtype=np.float64)
        shape_issue = []
        if list(meta_step["shape"]) != list(got.shape):
            shape_issue.append(f"meta shape {meta_step['shape']} != array {list(got.shape)}")
        if got.shape != step.value.shape:
            shape_issue.append(f"array {list(got.shape)} != expected {list(step.value.shape)}")
        if shape_issue:
            print(f"FAIL  {step.name:<34} " + "; ".join(shape_issue))
            failures.append(f"{step.name}: " + "; ".join(shape_issue))
            continue
        max_diff, ratio, problems = compare_values(step.value, got, args.atol, args.rtol)
        if step.zero_mask is not None:
            nonzero = int((got[step.zero_mask] != 0.0).sum())
            if nonzero:
                problems.append(f"{nonzero} masked weights are not exactly 0")
        if ratio > 1.0:
            problems.append(f"exceeds tolerance ({ratio:.2f}× the allowed error)")
        for w in label_warnings(step, meta_step, got.shape):
            label_notes.setdefault(w, []).append(step.name)
        if max_diff > worst[0] or worst[1] is None:
            worst = (max_diff, step.name)
        n_inf = int(np.isneginf(step.value).sum())
        note = f"  −inf×{n_inf} ok" if n_inf and not problems else ""
        status = "FAIL" if problems else "ok"
        if problems:
            failures.append(f"{step.name}: " + "; ".join(problems))
        if problems or not args.quiet:
            print(f"{status:<5} {step.name:<34} {str(list(got.shape)):<14} "
                  f"max|Δ|={max_diff:.3e}{note}" + ("  " + "; ".join(problems) if problems else ""))

    # -- meta inputs refer to earlier steps or weights -------------------------------------------
    seen = set()
    for s in exported:
        for inp in s.get("inputs", []):
            if inp not in seen and inp not in declared:
                warnings.append(f"{s['name']}: input {inp!r} is neither an earlier step "
                                "nor a weight")
        seen.add(s["name"])

    for text, names in label_notes.items():
        shown = ", ".join(names[:4]) + (f", … ({len(names)} steps)" if len(names) > 4 else "")
        warnings.append(f"{shown}: {text}")

    print()
    for w in warnings:
        print(f"warning: {w}")
    print(f"{len(mine)} steps recomputed, {len(exported)} exported; largest |Δ| = "
          f"{worst[0]:.3e} in {worst[1]}")
    if failures:
        print(f"FAILED: {len(failures)} problem(s)")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("OK: every step matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
