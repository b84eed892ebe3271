#!/usr/bin/env python3
"""Write data/ko-en.tsv, the shipped Korean→English corpus, from the reference grammar.

Usage:
    python3 tools/make_corpus.py [-o data/ko-en.tsv]

The sentences are every combination of the grammar's patterns listed below; the English side
comes from `translate` in tools/check_corpus.py (the grammar that the checker verifies). The
held-out pairs are drawn with a fixed seed, a fixed number per pattern, under these rules:
  * 나는 학교에 간다 → I go to school stays in training;
  * every token of a held-out pair (both sides) still occurs in training, each Korean token
    in at least MIN_SEEN (2) training pairs;
  * in sentences of 3 or 4 tokens, every two Korean tokens of a held-out pair still occur
    together in some training pair (subject with verb, place with verb, …), so only the
    combination as a whole is new; a 2-token `X는 Y이다` pair is new as a whole by definition.
The output is the same bytes on every run. Run tools/check_corpus.py afterwards.
"""

import argparse
import collections
import itertools
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_corpus import (ARTICLE, HELD_OUT, NOUNS, COLOURS, OBJECTS, PLACES,  # noqa: E402
                          SUBJECTS, translate)

SEED = 2017
# A held-out pair's Korean tokens each occur in at least this many training pairs.
MIN_SEEN = 2
MOTION_VERBS = ["간다", "온다", "갔다", "왔다"]
OBJECT_VERBS = ["먹는다", "먹었다", "산다", "샀다"]
# `X는 Y이다`: only what is true of the thing (a leaf can be green, yellow or red; a sky blue
# or gray), so the corpus never teaches a false sentence.
FACTS = [
    ("바나나는", "노란색이다"), ("바나나는", "초록색이다"),
    ("사과는", "빨간색이다"), ("사과는", "초록색이다"), ("사과는", "노란색이다"),
    ("포도는", "보라색이다"), ("포도는", "초록색이다"),
    ("딸기는", "빨간색이다"),
    ("레몬은", "노란색이다"),
    ("토마토는", "빨간색이다"), ("토마토는", "초록색이다"),
    ("하늘은", "파란색이다"), ("하늘은", "회색이다"),
    ("바다는", "파란색이다"), ("바다는", "초록색이다"),
    ("구름은", "하얀색이다"), ("구름은", "회색이다"),
    ("눈은", "하얀색이다"),
    ("우유는", "하얀색이다"),
    ("잎은", "초록색이다"), ("잎은", "노란색이다"), ("잎은", "빨간색이다"),
    ("딸기는", "초록색이다"),
    ("레몬은", "초록색이다"),
    ("포도는", "빨간색이다"), ("바다는", "회색이다"), ("토마토는", "노란색이다"),
]
# How many pairs of each pattern are held out (37 of 297 = 12.5 %).
QUOTA = {"motion": 18, "object": 12, "adverb": 4, "colour": 3}


def sentences():
    """(pattern, korean) for every sentence of the corpus, in file order."""
    subjects, places, objects = list(SUBJECTS), list(PLACES), list(OBJECTS)
    out = []
    for s, p, v in itertools.product(subjects, places, MOTION_VERBS):
        out.append(("motion", f"{s} {p} {v}"))
    for s, o, v in itertools.product(subjects, objects, OBJECT_VERBS):
        out.append(("object", f"{s} {o} {v}"))
    # Time adverbs (어제 with the past, 매일 with the present), five per subject, rotating
    # through places and objects so that every one of them meets an adverb.
    for i, s in enumerate(subjects):
        out.append(("adverb", f"{s} 어제 {places[i % 6]} 갔다"))
        out.append(("adverb", f"{s} 어제 {places[(i + 3) % 6]} 왔다"))
        out.append(("adverb", f"{s} 매일 {places[(i + 1) % 6]} 간다"))
        out.append(("adverb", f"{s} 어제 {objects[i % 4]} 먹었다"))
        out.append(("adverb", f"{s} 매일 {objects[(i + 1) % 4]} 먹는다"))
    for noun, colour in FACTS:
        assert noun in NOUNS and colour in COLOURS
        out.append(("colour", f"{noun} {colour}"))
    return out


def choose_held_out(rows):
    """Indices of the held-out sentences (see the module doc for the rules)."""
    rng = random.Random(SEED)
    held = set()

    def train_rows():
        return [rows[i][1].split(" ") for i in range(len(rows)) if i not in held]

    def acceptable(i):
        held.add(i)
        try:
            train = train_rows()
            train_tokens = collections.Counter(t for toks in train for t in toks)
            train_pairs = set()
            for toks in train:
                train_pairs.update(itertools.combinations(sorted(set(toks)), 2))
            en_train = {t for j in range(len(rows)) if j not in held
                        for t in translate(rows[j][1]).split(" ")}
            for j in held:
                toks = rows[j][1].split(" ")
                if any(train_tokens[t] < MIN_SEEN for t in toks):
                    return False
                if any(t not in en_train for t in translate(rows[j][1]).split(" ")):
                    return False
                if len(toks) > 2 and any(tp not in train_pairs
                                         for tp in itertools.combinations(sorted(set(toks)), 2)):
                    return False
            return True
        finally:
            held.discard(i)

    for pattern, quota in QUOTA.items():
        candidates = [i for i, (pat, ko) in enumerate(rows)
                      if pat == pattern and ko != ARTICLE[0]]
        rng.shuffle(candidates)
        taken = 0
        for i in candidates:
            if taken == quota:
                break
            if acceptable(i):
                held.add(i)
                taken += 1
        if taken < quota:
            raise SystemExit(f"only {taken} of {quota} {pattern} pairs can be held out")
    return held


HEADER = """\
# qkv Korean→English parallel corpus, written for this project around the article's sentence
# 나는 학교에 간다 → I go to school. Regenerate with `python3 tools/make_corpus.py` and check
# with `python3 tools/check_corpus.py` (data/README.md describes both).
#
# Format: UTF-8, one pair per line: korean<TAB>english, optionally a third column `held-out`
# marking a held-out pair (every other pair is training). Lines starting with # and blank lines
# are ignored. Tokens are separated by single spaces (the model's whitespace tokenizer); no
# punctuation; English is lowercase except `I`.
#
# Korean is subject-object-verb, English subject-verb-object: the verb moves in front of the
# place or object and a time adverb (어제, 매일) moves to the end. Each held-out pair is a word
# combination that never occurs in training, made only of words that do.
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default="data/ko-en.tsv")
    args = ap.parse_args(argv)
    rows = sentences()
    held = choose_held_out(rows)
    lines = [HEADER]
    previous = None
    for i, (pattern, korean) in enumerate(rows):
        if pattern != previous:
            lines.append(f"\n# {pattern}\n")
            previous = pattern
        mark = f"\t{HELD_OUT}" if i in held else ""
        lines.append(f"{korean}\t{translate(korean)}{mark}\n")
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))
    print(f"wrote {args.output}: {len(rows)} pairs, {len(held)} held out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
