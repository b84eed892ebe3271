#!/usr/bin/env python3
"""Build tiny random Marian translation models with Hugging Face `transformers`, and record
what `transformers` computes on them, for qkv's `--hf` tests.

Usage:
    python3 tools/make_hf_fixtures.py [--out tests/fixtures/hf] [--corpus data/ko-en.tsv]

Needs: torch, transformers, sentencepiece, safetensors (PyPI). Run by hand, never by CI: the
Rust tests read the files this script commits.

For each variant (`marian-tiny`: swish, the activation of the OPUS-MT models;
`marian-tiny-relu`: the paper's ReLU) it writes, in the layout `huggingface-cli download
Helsinki-NLP/opus-mt-ko-en` puts on disk:

    config.json  model.safetensors  source.spm  target.spm  vocab.json
    tokenizer_config.json  special_tokens_map.json
    expected.json   what transformers computed (see below)

The SentencePiece models are unigram models trained with the `sentencepiece` package on the
Korean (source) and English (target) columns of the corpus. vocab.json is Marian's shared
vocabulary: `</s>` 0, `<unk>` 1, the pieces of both models, `<pad>` last (the decoder's start
token). The weights are MarianMTModel's, re-drawn with a larger spread than its 0.02
initialisation (normal, std 0.4; LayerNorm gains around 1; a random final_logits_bias), so
that attention is far from uniform and every difference in qkv's arithmetic shows.

expected.json holds, per sentence: the text, the source pieces and ids (with `</s>`), the
decoder input ids (`<pad>` then the reference translation's ids), and from one forward pass
(`output_attentions`, `output_hidden_states`): every layer's encoder, decoder and
cross-attention weights (layers × heads × n × m), every hidden state, the logits; and from
`generate`: the greedy and the beam-4 outputs with the generation settings used.
"""

import argparse
import json
import os
import tempfile

import numpy as np
import sentencepiece as spm
import torch
from safetensors.torch import save_file
from transformers import MarianConfig, MarianMTModel, MarianTokenizer

D_MODEL = 16
HEADS = 4
FFN = 32
LAYERS = 2
MAX_POS = 64
SEED = 7
SENTENCES = [
    ("나는 학교에 간다", "I go to school"),
    ("고양이가 물을 마신다", "The cat drinks water"),
    ("우리는 오늘 도서관에서 책을 읽었다", "We read books at the library today"),
    ("  나는   빵을 먹는다  ", "I eat bread"),
]
GEN_MAX_LENGTH = 12


def read_corpus(path):
    ko, en = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            ko.append(cols[0])
            en.append(cols[1])
    return ko, en


def train_spm(lines, prefix, vocab_size, coverage):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        name = f.name
    spm.SentencePieceTrainer.train(
        input=name,
        model_prefix=prefix,
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=coverage,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        pad_id=-1,
        # The OPUS-MT models use nmt_nfkc, whose table (precompiled_charsmap) is 240 KB;
        # identity keeps the fixture small. qkv does not apply NFKC (see hf/spm.rs).
        normalization_rule_name="identity",
        minloglevel=2,
    )
    os.unlink(name)
    return prefix + ".model"


def pieces_of(model_path):
    sp = spm.SentencePieceProcessor(model_file=model_path)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_vocab(src_model, tgt_model):
    vocab = {"</s>": 0, "<unk>": 1}
    for p in pieces_of(src_model) + pieces_of(tgt_model):
        if p not in vocab and p not in ("<s>", "<pad>"):
            vocab[p] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layer_norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif "embed_positions" in name:
                continue
            else:
                p.copy_(0.4 * torch.randn(p.shape, generator=g))
        model.final_logits_bias.copy_(0.5 * torch.randn(model.final_logits_bias.shape, generator=g))


def nested(t, digits=7):
    a = t.detach().cpu().numpy().astype(np.float64)
    return np.vectorize(lambda x: float(f"{x:.{digits}g}"))(a).tolist()


def build(out_dir, variant, activation, tmp, corpus):
    ko, en = corpus
    src = train_spm(ko, os.path.join(tmp, "src"), 300, 0.98)
    tgt = train_spm(en, os.path.join(tmp, "tgt"), 200, 1.0)
    vocab = build_vocab(src, tgt)
    os.makedirs(out_dir, exist_ok=True)
    vocab_path = os.path.join(tmp, "vocab.json")
    with open(vocab_path, "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    tok = MarianTokenizer(
        source_spm=src, target_spm=tgt, vocab=vocab_path, source_lang="ko", target_lang="en"
    )
    tok.save_pretrained(out_dir)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=D_MODEL,
        encoder_layers=LAYERS,
        decoder_layers=LAYERS,
        encoder_attention_heads=HEADS,
        decoder_attention_heads=HEADS,
        encoder_ffn_dim=FFN,
        decoder_ffn_dim=FFN,
        activation_function=activation,
        max_position_embeddings=MAX_POS,
        scale_embedding=True,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        bad_words_ids=[[pad]],
        num_beams=4,
        max_length=GEN_MAX_LENGTH,
        share_encoder_decoder_embeddings=True,
    )
    config._attn_implementation = "eager"  # output_attentions needs the eager path
    torch.manual_seed(SEED)
    model = MarianMTModel(config).eval()
    randomize(model, SEED)
    gen = model.generation_config
    gen.num_beams = 4
    gen.max_length = GEN_MAX_LENGTH
    gen.bad_words_ids = [[pad]]
    gen.forced_eos_token_id = 0
    gen.decoder_start_token_id = pad
    gen.eos_token_id = 0
    gen.pad_token_id = pad
    model.save_pretrained(out_dir, safe_serialization=True)
    # save_pretrained writes generation_config.json too; keep it (real directories have one).
    records = []
    for ko_text, en_text in SENTENCES:
        enc = tok(ko_text, text_target=en_text, return_tensors="pt")
        ids = enc["input_ids"]
        labels = enc["labels"]
        dec_in = torch.cat([torch.tensor([[pad]]), labels[:, :-1]], dim=1)
        with torch.no_grad():
            out = model(
                input_ids=ids,
                decoder_input_ids=dec_in,
                output_attentions=True,
                output_hidden_states=True,
            )
            greedy = model.generate(ids, num_beams=1, do_sample=False, max_length=GEN_MAX_LENGTH)
            beam = model.generate(ids, num_beams=4, do_sample=False, max_length=GEN_MAX_LENGTH)
        records.append(
            {
                "text": ko_text,
                "target_text": en_text,
                "source_pieces": tok.tokenize(ko_text),
                "source_spm_ids": tok.spm_source.encode(ko_text),
                "source_ids": ids[0].tolist(),
                "decoder_input_ids": dec_in[0].tolist(),
                "encoder_attentions": [nested(a[0]) for a in out.encoder_attentions],
                "decoder_attentions": [nested(a[0]) for a in out.decoder_attentions],
                "cross_attentions": [nested(a[0]) for a in out.cross_attentions],
                "encoder_hidden_states": [nested(h[0]) for h in out.encoder_hidden_states],
                "decoder_hidden_states": [nested(h[0]) for h in out.decoder_hidden_states],
                "logits": nested(out.logits[0]),
                "greedy": greedy[0].tolist(),
                "beam4": beam[0].tolist(),
            }
        )
    import transformers

    expected = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "activation": activation,
        "generate": {"max_length": GEN_MAX_LENGTH, "num_beams": 4, "length_penalty": 1.0},
        "sentences": records,
    }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


GPT2_D = 32
GPT2_HEADS = 4
GPT2_LAYERS = 2
GPT2_POSITIONS = 64
GPT2_VOCAB = 400
GPT2_TEXTS = ["I go", "I go to school", "나는 학교에 간다", "The cat drinks water"]
GPT2_NEW_TOKENS = 6


def build_gpt2(out_dir, corpus):
    """A tiny random GPT-2 (`gpt2-tiny`): GPT2LMHeadModel with 2 layers, d 32, 4 heads, GELU's
    tanh approximation (`gelu_new`, GPT-2's), and a byte-level BPE of 400 tokens trained with
    the `tokenizers` package on both columns of the corpus (Korean text becomes byte pieces and
    a few merges). expected.json holds, per text: the pieces and ids, every layer's attention
    weights (layers × heads × n × n), every hidden state (the last one after ln_f), the logits,
    the greedy and beam-4 continuations (`generate`, GPT2_NEW_TOKENS new tokens)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    ko, en = corpus
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=GPT2_VOCAB,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(en + ko, trainer)
    os.makedirs(out_dir, exist_ok=True)
    tok_path = os.path.join(out_dir, "tokenizer.json")
    tok.save(tok_path)
    eot = tok.token_to_id("<|endoftext|>")
    fast = PreTrainedTokenizerFast(tokenizer_file=tok_path, eos_token="<|endoftext|>")
    config = GPT2Config(
        vocab_size=tok.get_vocab_size(),
        n_positions=GPT2_POSITIONS,
        n_embd=GPT2_D,
        n_layer=GPT2_LAYERS,
        n_head=GPT2_HEADS,
        activation_function="gelu_new",
        bos_token_id=eot,
        eos_token_id=eot,
    )
    config._attn_implementation = "eager"  # output_attentions needs the eager path
    torch.manual_seed(SEED)
    model = GPT2LMHeadModel(config).eval()
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name and name.endswith("weight") or name.startswith("transformer.ln_f.w"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.4 * torch.randn(p.shape, generator=g))
    gen = model.generation_config
    gen.pad_token_id = eot
    gen.eos_token_id = eot
    model.save_pretrained(out_dir, safe_serialization=True)
    records = []
    for text in GPT2_TEXTS:
        enc = tok.encode(text)
        assert fast(text)["input_ids"] == enc.ids, text
        ids = torch.tensor([enc.ids])
        with torch.no_grad():
            out = model(input_ids=ids, output_attentions=True, output_hidden_states=True)
            greedy = model.generate(
                ids, do_sample=False, num_beams=1, max_new_tokens=GPT2_NEW_TOKENS,
                attention_mask=torch.ones_like(ids),
            )
            beam = model.generate(
                ids, do_sample=False, num_beams=4, max_new_tokens=GPT2_NEW_TOKENS,
                attention_mask=torch.ones_like(ids), length_penalty=1.0,
            )
        records.append(
            {
                "text": text,
                "pieces": enc.tokens,
                "ids": enc.ids,
                "decoded": tok.decode(enc.ids),
                "attentions": [nested(a[0]) for a in out.attentions],
                "hidden_states": [nested(h[0]) for h in out.hidden_states],
                "logits": nested(out.logits[0]),
                "greedy": greedy[0].tolist(),
                "beam4": beam[0].tolist(),
            }
        )
    import transformers

    expected = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "activation": config.activation_function,
        "generate": {"max_new_tokens": GPT2_NEW_TOKENS, "num_beams": 4, "length_penalty": 1.0},
        "texts": records,
    }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


BERT_D = 32
BERT_HEADS = 4
BERT_FFN = 64
BERT_LAYERS = 2
BERT_MAX_POS = 64
BERT_VOCAB = 400
BERT_TOP = 5
# Normal std of the random weights: wide enough that attention is far from uniform, narrow
# enough that the logits stay below about 6, where float32 rounding stays under 1e-5.
BERT_SPREAD = 0.3
# Each case: text, optional second text (token type 1), padding added after [SEP].
BERT_CASES = [
    ("나는 학교에 간다", None, 0),
    ("나는 [MASK]에 간다", None, 0),
    ("I go to [MASK]", None, 0),
    ("나는 학교에 간다", "I go to school", 0),
    ("The cat drinks [MASK]", None, 0),
    ("우리는 도서관에서 [MASK]을 읽었다", None, 3),
]


def bert_tokenizer(corpus):
    """A WordPiece tokenizer trained on both columns, saved as transformers would."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    ko, en = corpus
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    # Lowercase like bert-base-uncased, but keep accents: stripping them would decompose
    # Hangul syllables into jamo.
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.WordPieceTrainer(vocab_size=BERT_VOCAB, special_tokens=specials)
    tok.train_from_iterator(ko + en, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tok.decoder = decoders.WordPiece()
    return tok


def build_bert(out_dir, corpus):
    """`bert-tiny`: a random BertForMaskedLM (2 layers, d 32, 4 heads, GELU with erf) and a
    WordPiece tokenizer.json. expected.json holds, per case: the text (and the second text,
    token type 1), the pieces, ids, token type ids and attention mask (padded cases end in
    [PAD] with mask 0), every layer's attention weights (layers × heads × n × n), every hidden
    state (the embeddings' LayerNorm first), the MLM logits and, per [MASK], the top
    candidates with their probabilities."""
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    raw = bert_tokenizer(corpus)
    tok = BertTokenizerFast(tokenizer_object=raw, do_lower_case=True, strip_accents=False)
    os.makedirs(out_dir, exist_ok=True)
    tok.save_pretrained(out_dir)
    for extra in ("vocab.txt",):
        path = os.path.join(out_dir, extra)
        if os.path.exists(path):
            os.unlink(path)
    config = BertConfig(
        vocab_size=raw.get_vocab_size(),
        hidden_size=BERT_D,
        num_hidden_layers=BERT_LAYERS,
        num_attention_heads=BERT_HEADS,
        intermediate_size=BERT_FFN,
        hidden_act="gelu",
        max_position_embeddings=BERT_MAX_POS,
        type_vocab_size=2,
        layer_norm_eps=1e-12,
        pad_token_id=raw.token_to_id("[PAD]"),
    )
    config._attn_implementation = "eager"
    torch.manual_seed(SEED)
    model = BertForMaskedLM(config).eval()
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(BERT_SPREAD * torch.randn(p.shape, generator=g))
    model.save_pretrained(out_dir, safe_serialization=True)
    mask_id = raw.token_to_id("[MASK]")
    pad_id = raw.token_to_id("[PAD]")
    records = []
    for text, pair, pad in BERT_CASES:
        enc = raw.encode(text, pair) if pair else raw.encode(text)
        ids = enc.ids + [pad_id] * pad
        types = enc.type_ids + [0] * pad
        mask = [1] * len(enc.ids) + [0] * pad
        with torch.no_grad():
            out = model(
                input_ids=torch.tensor([ids]),
                token_type_ids=torch.tensor([types]),
                attention_mask=torch.tensor([mask]),
                output_attentions=True,
                output_hidden_states=True,
            )
        fills = []
        for i, t in enumerate(ids):
            if t == mask_id:
                probs = torch.softmax(out.logits[0, i], dim=-1)
                top = torch.topk(probs, BERT_TOP)
                fills.append(
                    {
                        "position": i,
                        "ids": top.indices.tolist(),
                        "tokens": [raw.id_to_token(j) for j in top.indices.tolist()],
                        "probs": nested(top.values),
                    }
                )
        records.append(
            {
                "text": text,
                "pair": pair,
                "pieces": enc.tokens + ["[PAD]"] * pad,
                "ids": ids,
                "token_type_ids": types,
                "attention_mask": mask,
                "attentions": [nested(a[0]) for a in out.attentions],
                "hidden_states": [nested(h[0]) for h in out.hidden_states],
                "logits": nested(out.logits[0]),
                "fill": fills,
            }
        )
    import transformers

    expected = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "top": BERT_TOP,
        "cases": records,
    }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "hf"))
    ap.add_argument("--corpus", default=os.path.join(root, "data", "ko-en.tsv"))
    args = ap.parse_args()
    corpus = read_corpus(args.corpus)
    torch.set_num_threads(1)
    for variant, activation in [("marian-tiny", "swish"), ("marian-tiny-relu", "relu")]:
        with tempfile.TemporaryDirectory() as tmp:
            build(os.path.join(args.out, variant), variant, activation, tmp, corpus)
        print(f"wrote {os.path.join(args.out, variant)}")
    build_gpt2(os.path.join(args.out, "gpt2-tiny"), corpus)
    build_bert(os.path.join(args.out, "bert-tiny"), corpus)


if __name__ == "__main__":
    main()
