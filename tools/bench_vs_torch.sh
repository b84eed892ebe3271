#!/usr/bin/env bash
# qkv beside PyTorch on one machine: `qkv bench` (base, full trace) and tools/torch_forward.py
# (torch.nn.Transformer of the same sizes, no trace) alternate, ROUNDS rounds of 8, 128 and 512
# tokens, so that both see the same load. Not run by CI (minutes of benchmarks, and PyTorch).
#
# Usage: tools/bench_vs_torch.sh [QKV] [PYTHON] [ROUNDS]
#   QKV     the qkv binary (default: target/release/qkv; build it with cargo build --release)
#   PYTHON  a python with torch (default: python3), e.g. a venv made with
#           python3 -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch
#   ROUNDS  default 3
# Prints one JSON line per run, then a summary per length: ranges of both times, their
# ratio, both efficiencies (pass rate over the same run's best 512^3 product rate) and qkv's
# fraction of the streaming read.
set -euo pipefail
QKV=${1:-target/release/qkv}
PY=${2:-python3}
ROUNDS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
if ! "$PY" -c "import torch" 2>/dev/null; then
    echo "bench_vs_torch: $PY cannot import torch (see the usage at the top of $0)" >&2
    exit 2
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq "$ROUNDS"); do
    for spec in "8 9" "128 9" "512 3"; do
        read -r tokens repeat <<<"$spec"
        echo "round $round, $tokens tokens" >&2
        q=$("$QKV" bench --preset base --tokens "$tokens" --repeat "$repeat" --no-first-trace --json)
        flop=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["forward_flop"])' <<<"$q")
        python3 -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps({"who": "qkv", "tokens": d["source_tokens"], "ms": d["forward"]["median_ms"],
    "efficiency": d["efficiency"], "best_512": d["attainable_gflops"],
    "bandwidth_fraction": d["bandwidth"]["fraction"], "load": d["load_average"]}))' <<<"$q" | tee -a "$out"
        "$PY" "$HERE/torch_forward.py" "$tokens" "$flop" $((repeat * 3)) \
            | python3 -c 'import json,sys; d=json.load(sys.stdin); d["who"]="torch"; print(json.dumps(d))' \
            | tee -a "$out"
    done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
span = lambda xs, f: f"{min(xs):{f}}-{max(xs):{f}}"
for t in sorted({r["tokens"] for r in rows}):
    q = [r for r in rows if r["who"] == "qkv" and r["tokens"] == t]
    p = [r for r in rows if r["who"] == "torch" and r["tokens"] == t]
    print(f"{t} tokens: qkv {span([r['ms'] for r in q], '.1f')} ms, PyTorch "
          f"{span([r['ms'] for r in p], '.1f')} ms, qkv/PyTorch "
          f"{span([a['ms'] / b['ms'] for a, b in zip(q, p)], '.2f')}; efficiency qkv "
          f"{span([r['efficiency'] for r in q], '.2f')}, PyTorch {span([r['efficiency'] for r in p], '.2f')}; "
          f"qkv's fraction of the streaming read {span([r['bandwidth_fraction'] for r in q], '.2f')}")
PY
