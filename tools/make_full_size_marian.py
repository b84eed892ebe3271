#!/usr/bin/env python3
"""Build a Marian model of Helsinki-NLP/opus-mt-ko-en's size with random weights, for timing
qkv against Hugging Face `transformers` without a network.

Usage:
    python3 tools/make_full_size_marian.py [--out /tmp/opus-size] [--max-length 32]
    python3 tools/make_full_size_marian.py --out /tmp/opus-size --tokenizer-only

Needs torch, transformers, sentencepiece and safetensors (PyPI). Run by hand, never by CI; the
model (about 300 MB) is written outside the repository and never committed.

The configuration is opus-mt-ko-en's config.json as far as it is known here (no network to
read it): d_model 512, 6 encoder + 6 decoder layers, 8 heads, feed-forward 2048, swish,
scale_embedding, static sinusoidal positions, max_position_embeddings 512, vocab_size 65001
with `<pad>` = 65000 as the decoder's start token and a bad word, `</s>` = 0, one embedding
table shared by the encoder, the decoder and the output projection, and a final_logits_bias.
That is 77.5M parameters, the size the OPUS-MT models have.

What differs from the real model:
- the weights are MarianMTModel's own random initialisation (normal, std 0.02; seed 1), so
  the translation is noise;
- the tokenizer is the tiny fixture's (tests/fixtures/hf/marian-tiny: its source.spm and
  target.spm), and vocab.json is that fixture's vocabulary padded with dummy pieces up to
  65001 entries, `<pad>` last; a Korean sentence is cut into about as many pieces as the real
  model's SentencePiece would cut it (the fixture's pieces are shorter, so rather more);
- generation_config.json's max_length is --max-length (default 32) instead of 512: with
  random weights `</s>` is almost never the likeliest token, so both programs decode exactly
  max_length - 1 tokens (the last one the forced `</s>`), the length of a translated sentence,
  instead of 511.

After saving, the directory is opened again with MarianMTModel and MarianTokenizer and one
sentence is translated, to show that `transformers` reads it.
"""

import argparse
import json
import os
import shutil
import time

import torch
from transformers import MarianConfig, MarianMTModel, MarianTokenizer

SEED = 1
VOCAB_SIZE = 65001
D_MODEL = 512
LAYERS = 6
HEADS = 8
FFN = 2048
MAX_POS = 512
SENTENCE = "우리는 어제 저녁에 친구들과 함께 시내의 작은 식당에서 밥을 먹었다"


def write_tokenizer(fixture, out):
    for name in ("source.spm", "target.spm"):
        shutil.copy(os.path.join(fixture, name), os.path.join(out, name))
    with open(os.path.join(fixture, "vocab.json"), encoding="utf-8") as f:
        small = json.load(f)
    pieces = sorted((i, p) for p, i in small.items() if p != "<pad>")
    vocab = {}
    for i, p in pieces:
        vocab[p] = len(vocab)
        assert vocab[p] == i, "the fixture's ids are 0.. with <pad> last"
    n = 0
    while len(vocab) < VOCAB_SIZE - 1:
        vocab[f"▁dummy{n}"] = len(vocab)
        n += 1
    vocab["<pad>"] = len(vocab)
    assert len(vocab) == VOCAB_SIZE
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    # The fixture's tokenizer_config.json names its own <pad> id among the special tokens:
    # renumber it, or transformers would print the start token as text.
    with open(os.path.join(fixture, "tokenizer_config.json"), encoding="utf-8") as f:
        tok_config = json.load(f)
    tok_config["added_tokens_decoder"] = {
        str(vocab[entry["content"]]): entry
        for entry in tok_config.get("added_tokens_decoder", {}).values()
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok_config, f, ensure_ascii=False, indent=2)
    return vocab["<pad>"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/opus-size")
    ap.add_argument("--fixture", default=os.path.join(root, "tests", "fixtures", "hf", "marian-tiny"))
    ap.add_argument("--max-length", type=int, default=32)
    ap.add_argument("--tokenizer-only", action="store_true",
                    help="rewrite only the tokenizer files of --out (the weights stay)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    pad = write_tokenizer(args.fixture, args.out)
    if args.tokenizer_only:
        return
    config = MarianConfig(
        vocab_size=VOCAB_SIZE,
        decoder_vocab_size=VOCAB_SIZE,
        d_model=D_MODEL,
        encoder_layers=LAYERS,
        decoder_layers=LAYERS,
        encoder_attention_heads=HEADS,
        decoder_attention_heads=HEADS,
        encoder_ffn_dim=FFN,
        decoder_ffn_dim=FFN,
        activation_function="swish",
        max_position_embeddings=MAX_POS,
        scale_embedding=True,
        static_position_embeddings=True,
        normalize_before=False,
        add_bias_logits=False,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        bad_words_ids=[[pad]],
        num_beams=4,
        max_length=args.max_length,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        init_std=0.02,
    )
    torch.manual_seed(SEED)
    model = MarianMTModel(config).eval()
    gen = model.generation_config
    gen.num_beams = 4
    gen.max_length = args.max_length
    gen.bad_words_ids = [[pad]]
    gen.forced_eos_token_id = 0
    gen.decoder_start_token_id = pad
    gen.eos_token_id = 0
    gen.pad_token_id = pad
    model.save_pretrained(args.out, safe_serialization=True)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out}: {params} parameters")
    for name in sorted(os.listdir(args.out)):
        print(f"  {name:24} {os.path.getsize(os.path.join(args.out, name)):>12} bytes")

    # Read it back as any user of transformers would.
    t = time.perf_counter()
    tok = MarianTokenizer.from_pretrained(args.out)
    back = MarianMTModel.from_pretrained(args.out).eval()
    load_s = time.perf_counter() - t
    enc = tok(SENTENCE, return_tensors="pt")
    with torch.inference_mode():
        out = back.generate(**enc, num_beams=1, do_sample=False)
    print(f"transformers reloaded it in {load_s:.2f} s; {SENTENCE!r}: "
          f"{enc['input_ids'].shape[1]} source pieces, {out.shape[1] - 1} generated tokens")


if __name__ == "__main__":
    main()
