#!/usr/bin/env bash
# Export the gradients of tiny models of every architecture × norm placement (random weights,
# label smoothing 0 and 0.1) and of the shipped checkpoints with `qkv export --grads`, and
# check each file with tools/verify_grads.py (PyTorch autograd, float64).
#
# Usage: tools/verify_grads_all.sh [QKV] [PYTHON] [-- VERIFY_GRADS_OPTIONS...]
#   QKV     the qkv binary (default: target/debug/qkv)
#   PYTHON  a python with numpy and torch (default: python3)
#   e.g.    tools/verify_grads_all.sh target/debug/qkv ~/venv-torch/bin/python -- --f32-factor 4
# Prints one line per file (verdict, largest relative error, engine / PyTorch float32 error);
# exit status 0 when every file passes, 1 otherwise, 2 when the tools are missing.
set -u
cd "$(dirname "$0")/.."

QKV=target/debug/qkv
PY=python3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then QKV=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then PY=$1; shift; fi
[ "${1:-}" = "--" ] && shift
VOPTS=("$@")                          # options for verify_grads.py
if [ ! -x "$QKV" ]; then echo "no qkv binary at $QKV (cargo build first)" >&2; exit 2; fi
if ! "$PY" -c "import numpy, torch" 2>/dev/null; then
  echo "$PY cannot import numpy and torch (see tools/README.md)" >&2; exit 2
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
total=0

check() {                             # check NAME EXPORT-ARGS...
  local name=$1; shift
  local file="$dir/$name.npz"
  total=$((total + 1))
  if ! "$QKV" export --grads "$@" -o "$file" >"$dir/export.log" 2>&1; then
    printf '%-44s EXPORT FAILED: %s\n' "$name" "$(tail -1 "$dir/export.log")"
    failed=$((failed + 1)); return
  fi
  "$PY" tools/verify_grads.py --quiet ${VOPTS[@]+"${VOPTS[@]}"} "$file" >"$dir/verify.log" 2>&1
  local status=$?
  local verdict=ok
  [ $status -ne 0 ] && verdict="FAIL($status)" && failed=$((failed + 1))
  local rel ratio
  rel=$(grep -o 'largest relative error [^ ]*' "$dir/verify.log" | cut -d' ' -f4)
  ratio=$(grep -o 'median [^,]*, largest [^ ]*' "$dir/verify.log")
  printf '%-44s %-8s rel %-10s engine/f32 %s\n' "$name" "$verdict" "${rel:-?}" "${ratio:-?}"
  [ $status -ne 0 ] && grep -E '^(FAIL|MISSING|error)' "$dir/verify.log" | head -5 | sed 's/^/    /'
}

for arch in encoder decoder encoder-decoder; do
  for norm in post pre; do
    for eps in 0 0.1; do
      check "tiny $arch $norm ε=$eps" --preset tiny --arch "$arch" --norm "$norm" \
        --label-smoothing "$eps"
    done
  done
done
check "tiny encoder causal mask, no scale" --preset tiny --arch encoder --mask causal --no-scale
check "tiny decoder embed-scale, no PE" --preset tiny --arch decoder --embed-scale \
  --positional none
arch_of() {                           # the arch in a checkpoint's qkv.config metadata
  "$PY" - "$1" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    meta = json.loads(f.read(n)).get("__metadata__", {})
print(json.loads(meta.get("qkv.config", "{}")).get("arch", "?"))
PY
}
for ckpt in scenarios/*.safetensors; do
  check "$(basename "$ckpt") (default sentence)" --checkpoint "$ckpt"
  if [ "$(arch_of "$ckpt")" = encoder-decoder ]; then
    check "$(basename "$ckpt") ε=0.1 (a held-out pair)" --checkpoint "$ckpt" \
      --label-smoothing 0.1 --text "그들은 어제 시장에 왔다" \
      --target "<bos> they came to the market yesterday"
  else
    check "$(basename "$ckpt") ε=0.1 (an English sentence)" --checkpoint "$ckpt" \
      --label-smoothing 0.1 --text "<bos> they came to the market yesterday"
  fi
done

echo
echo "$((total - failed)) of $total exports pass"
[ $failed -eq 0 ]
