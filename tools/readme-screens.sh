#!/usr/bin/env bash
# Captures the workbench screenshots of docs/reference/workbench.md from the real program (release build) with tmux at
# 120×40 and prints them, separated by lines "=== NAME". Usage: tools/readme-screens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/qkv
[ -x "$bin" ] || cargo build --release
shot() { # name, keys...
  local name=$1; shift; local sock="qkv-shots-$$-$name"
  tmux -L "$sock" new-session -d -s s -x 120 -y 40 "$bin; sleep 30"
  sleep 1
  for k in "$@"; do tmux -L "$sock" send-keys -t s "$k"; sleep 0.3; done
  sleep 0.5
  echo "=== $name"
  tmux -L "$sock" capture-pane -p -t s
  tmux -L "$sock" kill-server
}
# The scenario opens with its title and description; Escape closes them.
shot about
shot opening Escape
shot mask Escape j m
shot masked_decoder Escape : "show dec.0.self_attn.masked[0][1][2]" Enter
shot gradient Escape g
shot decode Escape d n n n n
shot learn Escape L . . . . . . . . . .
