#!/usr/bin/env python3
"""Tests of tools/check_corpus.py and tools/make_corpus.py (standard library only).

    python3 -m unittest discover -s tools -p 'test_*corpus*.py'
"""

import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import check_corpus  # noqa: E402
import make_corpus  # noqa: E402

CORPUS = os.path.join(ROOT, "data", "ko-en.tsv")

# A small corpus that passes the generic checks: every held-out token occurs in training.
GOOD = """\
# comment
나는 학교에 간다\tI go to school

그는 집에 간다\the goes home
나는 집에 온다\tI come home
그는 공원에 온다\the comes to the park
그는 학교에 온다\the comes to school\theld-out
"""


def run(text, *flags):
    """(exit status, printed text) of the checker on a corpus given as a string."""
    with tempfile.NamedTemporaryFile("wb", suffix=".tsv", delete=False) as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)
        path = f.name
    try:
        out = io.StringIO()
        with redirect_stdout(out):
            status = check_corpus.main([path, *flags])
        return status, out.getvalue()
    finally:
        os.unlink(path)


class ShippedCorpus(unittest.TestCase):
    def test_shipped_corpus_passes_every_check(self):
        out = io.StringIO()
        with redirect_stdout(out):
            status = check_corpus.main([CORPUS])
        self.assertEqual(status, 0, out.getvalue())
        # 297 pairs, 37 held out (12.5 %).
        self.assertIn("pairs: 297 (260 training, 37 held-out = 12.5 %)", out.getvalue())

    def test_generator_reproduces_the_shipped_file_byte_for_byte(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ko-en.tsv")
            with redirect_stdout(io.StringIO()):
                make_corpus.main(["-o", path])
            with open(path, "rb") as a, open(CORPUS, "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_reference_grammar_reorders(self):
        # SOV -> SVO, agreement, adverb to the end.
        self.assertEqual(check_corpus.translate("나는 학교에 간다"), "I go to school")
        self.assertEqual(check_corpus.translate("그녀는 어제 빵을 먹었다"),
                         "she ate bread yesterday")
        self.assertEqual(check_corpus.translate("그는 매일 집에 온다"), "he comes home every day")
        self.assertEqual(check_corpus.translate("바나나는 노란색이다"), "the banana is yellow")
        with self.assertRaises(check_corpus.GrammarError):
            check_corpus.translate("나는 어제 학교에 간다")   # 어제 needs a past verb
        with self.assertRaises(check_corpus.GrammarError):
            check_corpus.translate("나는 학교에 먹는다")      # a place with an eating verb


class GenericChecks(unittest.TestCase):
    def test_good_small_corpus_passes(self):
        status, out = run(GOOD, "--generic")
        self.assertEqual(status, 0, out)
        self.assertIn("pairs: 5 (4 training, 1 held-out", out)

    def assertFails(self, text, needle, *flags):
        status, out = run(text, "--generic", *flags)
        self.assertEqual(status, 1, out)
        self.assertIn(needle, out)

    def test_held_out_token_unseen_in_training(self):
        self.assertFails(GOOD + "그는 병원에 간다\the goes to the hospital\theld-out\n",
                         "held-out tokens never seen in training: 병원에, hospital")

    def test_held_out_combination_in_training(self):
        self.assertFails(GOOD + "그는 집에 간다\the goes home\theld-out\n",
                         "held-out combination '그는 집에 간다' occurs in training")

    def test_held_out_reordered_combination_in_training(self):
        # Same words in another order is the same combination.
        self.assertFails(GOOD + "집에 그는 간다\the goes home\theld-out\n",
                         "occurs in training")

    def test_format_errors(self):
        self.assertFails("나는 학교에 간다.\tI go to school\n", "characters other than letters")
        self.assertFails("나는 학교에 간다\tI Go to school\n", "'Go' is not lowercase")
        self.assertFails("나는 학교에 간다\ti go to school\n", "must be written `I`")
        self.assertFails("나는  학교에 간다\tI go to school\n", "two spaces in a row")
        self.assertFails("나는 학교에 간다\tI go to school\theldout\n", "third field 'heldout'")
        self.assertFails("나는 학교에 간다 I go to school\n", "1 tab-separated fields")

    def test_a_byte_order_mark_is_allowed(self):
        status, out = run("\ufeff" + GOOD, "--generic")
        self.assertEqual(status, 0, out)

    def test_not_utf8_is_a_read_error(self):
        status, _ = run(b"\xff\xfe\tI go\n", "--generic")
        self.assertEqual(status, 2)

    def test_inconsistent_and_duplicate_pairs(self):
        self.assertFails(GOOD + "나는 학교에 간다\tI went to school\n",
                         "but line 2 gives 'I go to school'")
        self.assertFails(GOOD + "나는 학교에 간다\tI go to school\n", "duplicate of line 2")

    def test_no_held_out(self):
        self.assertFails("나는 학교에 간다\tI go to school\n", "no held-out pairs")


class ShippedPromises(unittest.TestCase):
    def test_grammar_mismatch_article_and_counts(self):
        status, out = run(GOOD.replace("he goes home", "he go home"))
        self.assertEqual(status, 1)
        self.assertIn("'그는 집에 간다' → 'he go home', the reference grammar gives "
                      "'he goes home'", out)
        self.assertIn("5 pairs; the shipped corpus has 200–300", out)
        held_article = GOOD.replace("I go to school\n", "I go to school\theld-out\n")
        status, out = run(held_article)
        self.assertIn("the article's pair must be training", out)


if __name__ == "__main__":
    unittest.main()
