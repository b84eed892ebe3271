#!/usr/bin/env python3
"""Check a qkv parallel corpus (data/ko-en.tsv format) and print a summary.

Usage:
    python3 tools/check_corpus.py [data/ko-en.tsv] [--generic] [--quiet]

The format (see data/README.md)
    UTF-8; one pair per line: `korean<TAB>english`, optionally a third column `held-out`
    marking a held-out pair (every other pair is training). Lines starting with `#` and blank
    lines are ignored. Tokens are separated by single spaces; no punctuation (every token is
    letters or digits only); English is lowercase except the word `I`.

What is checked (any failure makes the exit status 1; 2 means the file cannot be read)
    * format: UTF-8, 2 or 3 tab-separated fields, third field exactly `held-out`, single
      spaces between tokens, no punctuation, English lowercase except `I`;
    * consistency: no pair twice, no Korean sentence with two different English sentences;
    * held-out split: every token of every held-out pair (Korean and English) occurs in a
      training pair; no held-out word combination (the multiset of its Korean tokens, and its
      English sentence) occurs in training; at least one training and one held-out pair.
    Unless --generic (for a user's own corpus), also the promises of the shipped corpus:
    * every pair is what the reference grammar below (LEXICON + translate) gives for its
      Korean side, so every Korean token maps consistently to its English words;
    * 나는 학교에 간다 → I go to school is a TRAINING pair;
    * 200–300 pairs, 10–15 % of them held out.

The summary gives the counts, vocabulary sizes, sentence lengths and, as information, how
many Korean token pairs of the held-out sentences co-occur somewhere in training.
"""

import argparse
import collections
import itertools
import sys

ARTICLE = ("나는 학교에 간다", "I go to school")
HELD_OUT = "held-out"

# ----------------------------------------------------------------------------------------------
# Reference grammar of the shipped corpus. Korean is subject-object-verb; English
# subject-verb-object, so the English words of the verb move in front of the place or object,
# and a time adverb moves to the end.
# ----------------------------------------------------------------------------------------------

# Subject token -> (English subject, third person singular?)
SUBJECTS = {
    "나는": ("I", False),
    "너는": ("you", False),
    "그는": ("he", True),
    "그녀는": ("she", True),
    "우리는": ("we", False),
    "그들은": ("they", False),
}
# Place with a motion verb -> English words after the verb.
PLACES = {
    "학교에": "to school",
    "집에": "home",
    "시장에": "to the market",
    "도서관에": "to the library",
    "공원에": "to the park",
    "병원에": "to the hospital",
}
# Object -> English noun phrase (one article per object, always the same).
OBJECTS = {
    "사과를": "an apple",
    "바나나를": "a banana",
    "빵을": "bread",
    "포도를": "grapes",
}
# Verb -> (present, present third person singular, past, kind): kind says what it takes.
VERBS = {
    "간다": ("go", "goes", None, "place"),
    "온다": ("come", "comes", None, "place"),
    "갔다": (None, None, "went", "place"),
    "왔다": (None, None, "came", "place"),
    "먹는다": ("eat", "eats", None, "object"),
    "먹었다": (None, None, "ate", "object"),
    "산다": ("buy", "buys", None, "object"),
    "샀다": (None, None, "bought", "object"),
}
# Time adverb -> (English words at the end of the sentence, tense it goes with).
ADVERBS = {
    "어제": ("yesterday", "past"),
    "매일": ("every day", "present"),
}
# Topic noun of `X는 Y이다` -> English noun phrase; colour predicate -> English adjective.
NOUNS = {
    "바나나는": "the banana",
    "사과는": "the apple",
    "포도는": "the grape",
    "딸기는": "the strawberry",
    "레몬은": "the lemon",
    "토마토는": "the tomato",
    "하늘은": "the sky",
    "바다는": "the sea",
    "구름은": "the cloud",
    "눈은": "the snow",
    "우유는": "the milk",
    "잎은": "the leaf",
}
COLOURS = {
    "노란색이다": "yellow",
    "빨간색이다": "red",
    "파란색이다": "blue",
    "초록색이다": "green",
    "하얀색이다": "white",
    "보라색이다": "purple",
    "회색이다": "gray",
}


class GrammarError(ValueError):
    """A Korean sentence the reference grammar does not produce."""


def translate(korean):
    """English sentence the reference grammar gives for a Korean sentence (str -> str).

    Patterns: `S [ADV] PLACE MOTION-VERB`, `S [ADV] OBJECT EAT/BUY-VERB`, `NOUN COLOUR`.
    Raises GrammarError naming the token that does not fit.
    """
    toks = korean.split(" ")
    if len(toks) == 2 and toks[0] in NOUNS:
        if toks[1] not in COLOURS:
            raise GrammarError(f"{toks[1]!r} is not a colour predicate ({', '.join(COLOURS)})")
        return f"{NOUNS[toks[0]]} is {COLOURS[toks[1]]}"
    if len(toks) not in (3, 4):
        raise GrammarError(f"{len(toks)} tokens; the grammar has sentences of 2, 3 or 4 tokens")
    subj, verb, middle = toks[0], toks[-1], toks[-2]
    adverb = toks[1] if len(toks) == 4 else None
    if subj not in SUBJECTS:
        raise GrammarError(f"{subj!r} is not a subject ({', '.join(SUBJECTS)})")
    if verb not in VERBS:
        raise GrammarError(f"{verb!r} is not a verb ({', '.join(VERBS)})")
    present, present_3sg, past, kind = VERBS[verb]
    english_subject, third_singular = SUBJECTS[subj]
    table = PLACES if kind == "place" else OBJECTS
    if middle not in table:
        raise GrammarError(f"{middle!r} does not go with {verb!r} (allowed: {', '.join(table)})")
    tense = "past" if past else "present"
    if past:
        english_verb = past
    else:
        english_verb = present_3sg if third_singular else present
    words = [english_subject, english_verb, table[middle]]
    if adverb is not None:
        if adverb not in ADVERBS:
            raise GrammarError(f"{adverb!r} is not a time adverb ({', '.join(ADVERBS)})")
        english_adverb, adverb_tense = ADVERBS[adverb]
        if adverb_tense != tense:
            raise GrammarError(f"{adverb!r} needs a {adverb_tense} verb, not {verb!r}")
        words.append(english_adverb)
    return " ".join(words)


# ----------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------

class Pair:
    def __init__(self, line_no, korean, english, held_out):
        self.line_no = line_no
        self.korean = korean
        self.english = english
        self.held_out = held_out
        self.ko = korean.split(" ")
        self.en = english.split(" ")


def token_problems(side, text):
    """Format problems of one side of a pair (list of strings)."""
    problems = []
    if text == "":
        return [f"{side} side is empty"]
    if text != text.strip(" "):
        problems.append(f"{side} side has leading or trailing spaces")
    if "  " in text:
        problems.append(f"{side} side has two spaces in a row")
    for tok in text.split(" "):
        if tok == "":
            continue
        if not tok.isalnum():
            bad = "".join(sorted({c for c in tok if not c.isalnum()}))
            problems.append(f"{side} token {tok!r} has characters other than letters and "
                            f"digits: {bad!r}")
        elif side == "english":
            if not tok.isascii():
                problems.append(f"english token {tok!r} is not ASCII")
            elif tok != "I" and tok != tok.lower():
                problems.append(f"english token {tok!r} is not lowercase (only `I` may be "
                                "capitalised)")
            elif tok == "i":
                problems.append("english token 'i' must be written `I`")
    return problems


def read_pairs(path):
    """(pairs, errors) of a corpus file; raises OSError / UnicodeDecodeError."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")          # strict: a bad byte is a read error
    text = text.removeprefix("\ufeff")  # a byte-order mark is allowed, as qkv's reader does
    pairs, errors = [], []
    for line_no, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            errors.append(f"line {line_no}: ends with CR (use LF line ends)")
            line = line[:-1]
        if line.strip() == "" or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3):
            errors.append(f"line {line_no}: {len(fields)} tab-separated fields, expected 2 "
                          "(korean, english) or 3 (korean, english, held-out)")
            continue
        held_out = False
        if len(fields) == 3:
            if fields[2] != HELD_OUT:
                errors.append(f"line {line_no}: third field {fields[2]!r}, expected "
                              f"{HELD_OUT!r} or nothing")
                continue
            held_out = True
        problems = token_problems("korean", fields[0]) + token_problems("english", fields[1])
        if problems:
            errors.extend(f"line {line_no}: {p}" for p in problems)
            continue
        pairs.append(Pair(line_no, fields[0], fields[1], held_out))
    return pairs, errors


# ----------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------

def check(pairs, generic):
    """(errors, info) for the parsed pairs."""
    errors, info = [], []
    train = [p for p in pairs if not p.held_out]
    held = [p for p in pairs if p.held_out]

    # -- consistency -----------------------------------------------------------------------
    seen = {}
    for p in pairs:
        first = seen.get(p.korean)
        if first is None:
            seen[p.korean] = p
        elif first.english == p.english:
            errors.append(f"line {p.line_no}: duplicate of line {first.line_no} "
                          f"({p.korean} → {p.english})")
        else:
            errors.append(f"line {p.line_no}: {p.korean!r} → {p.english!r} but line "
                          f"{first.line_no} gives {first.english!r}")

    # -- held-out split ----------------------------------------------------------------------
    if not train:
        errors.append("no training pairs")
    if not held:
        errors.append(f"no held-out pairs (mark some with a third column {HELD_OUT!r})")
    train_ko = collections.Counter(t for p in train for t in p.ko)
    train_en = collections.Counter(t for p in train for t in p.en)
    train_combos = {tuple(sorted(p.ko)): p for p in train}
    train_english = {p.english: p for p in train}
    train_token_pairs = set()
    for p in train:
        train_token_pairs.update(itertools.combinations(sorted(set(p.ko)), 2))
    pairs_total = pairs_seen = 0
    for p in held:
        unseen = [t for t in p.ko if t not in train_ko] + [t for t in p.en if t not in train_en]
        if unseen:
            errors.append(f"line {p.line_no}: held-out tokens never seen in training: "
                          f"{', '.join(unseen)}")
        twin = train_combos.get(tuple(sorted(p.ko)))
        if twin is not None:
            errors.append(f"line {p.line_no}: held-out combination {p.korean!r} occurs in "
                          f"training at line {twin.line_no} ({twin.korean!r})")
        twin = train_english.get(p.english)
        if twin is not None:
            errors.append(f"line {p.line_no}: held-out English {p.english!r} occurs in "
                          f"training at line {twin.line_no}")
        for tp in itertools.combinations(sorted(set(p.ko)), 2):
            pairs_total += 1
            pairs_seen += tp in train_token_pairs

    # -- shipped corpus promises -------------------------------------------------------------
    if not generic:
        for p in pairs:
            try:
                want = translate(p.korean)
            except GrammarError as err:
                errors.append(f"line {p.line_no}: {p.korean!r} is outside the reference "
                              f"grammar: {err}")
                continue
            if want != p.english:
                errors.append(f"line {p.line_no}: {p.korean!r} → {p.english!r}, the "
                              f"reference grammar gives {want!r}")
        article = [p for p in pairs if (p.korean, p.english) == ARTICLE]
        if not article:
            errors.append(f"the article's pair {ARTICLE[0]} → {ARTICLE[1]} is missing")
        elif article[0].held_out:
            errors.append(f"line {article[0].line_no}: the article's pair must be training, "
                          "not held-out")
        if not 200 <= len(pairs) <= 300:
            errors.append(f"{len(pairs)} pairs; the shipped corpus has 200–300")
        if pairs and not 0.10 <= len(held) / len(pairs) <= 0.15:
            errors.append(f"{len(held)} of {len(pairs)} pairs held out "
                          f"({100 * len(held) / len(pairs):.1f} %); expected 10–15 %")

    # -- summary -----------------------------------------------------------------------------
    ko_vocab = {t for p in pairs for t in p.ko}
    en_vocab = {t for p in pairs for t in p.en}
    n = max(len(pairs), 1)
    info.append(f"pairs: {len(pairs)} ({len(train)} training, {len(held)} held-out = "
                f"{100 * len(held) / n:.1f} %)")
    info.append(f"vocabulary: {len(ko_vocab)} Korean tokens, {len(en_vocab)} English tokens, "
                f"{len(ko_vocab | en_vocab)} in one shared vocabulary (+4 specials <pad> <unk> <bos> <eos>)")
    if pairs:
        info.append(f"tokens per sentence: Korean {min(len(p.ko) for p in pairs)}–"
                    f"{max(len(p.ko) for p in pairs)}, English {min(len(p.en) for p in pairs)}–"
                    f"{max(len(p.en) for p in pairs)} (+1 for <bos>/<eos>)")
        rare = sorted(t for t, c in train_ko.items() if c < 3)
        if rare:
            info.append(f"Korean tokens seen fewer than 3 times in training: {', '.join(rare)}")
    if pairs_total:
        info.append(f"held-out Korean token pairs that co-occur in some training pair: "
                    f"{pairs_seen}/{pairs_total}")
    return errors, info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", default="data/ko-en.tsv", help="corpus file")
    ap.add_argument("--generic", action="store_true",
                    help="a user's own corpus: check format and split only, not the shipped "
                         "corpus's grammar, article pair and counts")
    ap.add_argument("--quiet", action="store_true", help="print only problems and the verdict")
    args = ap.parse_args(argv)
    try:
        pairs, errors = read_pairs(args.path)
    except (OSError, UnicodeDecodeError) as err:
        print(f"error: cannot read {args.path}: {err}", file=sys.stderr)
        return 2
    more, info = check(pairs, args.generic)
    errors += more
    if not args.quiet:
        print(f"{args.path}:")
        for line in info:
            print(f"  {line}")
    for e in errors:
        print(f"error: {e}")
    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        return 1
    print("OK: format, consistency and held-out split" +
          ("" if args.generic else ", reference grammar, article pair and counts"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
