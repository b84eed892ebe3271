#!/usr/bin/env python3
"""Tests of tools/verify_grads.py on files from tools/make_grads_fixture.py (needs torch).

    ~/venv-torch/bin/python -m unittest discover -s tools -p 'test_verify_grads.py'

The fixture's gradients come from a hand-written numpy backward pass that is itself checked
against finite differences, so a pass here means torch autograd and that independent
computation agree; the corrupted files must be rejected.
"""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
    import make_grads_fixture  # noqa: E402
    import verify_grads  # noqa: E402
except (ImportError, SystemExit):                        # numpy or torch is not installed
    verify_grads = None


def quiet(fn, *args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = fn(list(args))
    return status, out.getvalue() + err.getvalue()


@unittest.skipIf(verify_grads is None, "numpy and torch are not installed")
class VerifyGrads(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def fixture(self, name, *flags):
        path = os.path.join(self.dir.name, name)
        status, out = quiet(make_grads_fixture.main, "-o", path, *flags)
        self.assertEqual(status, 0, out)
        if "--skip-fd" not in flags:
            self.assertIn("finite differences agree", out)
        return path

    def verify(self, path, *flags):
        return quiet(verify_grads.main, path, *flags)

    def assertPasses(self, path, *flags):
        status, out = self.verify(path, *flags)
        self.assertEqual(status, 0, out)
        self.assertIn("OK: loss and every gradient match", out)
        return out

    def test_every_architecture_and_norm_placement_passes(self):
        for arch in ("encoder", "decoder", "encoder-decoder"):
            for norm in ("post", "pre"):
                with self.subTest(arch=arch, norm=norm):
                    path = self.fixture(f"{arch}-{norm}.npz", "--arch", arch, "--norm", norm)
                    out = self.assertPasses(path)
                    # Every weight, the tied table included, is compared.
                    self.assertIn("ok    grad.embed.E", out)
                    self.assertIn("ok    grad.probs", out)

    def test_json_export_and_config_variants_pass(self):
        self.assertPasses(self.fixture("ed.json", "--norm", "pre"))
        self.assertPasses(self.fixture("noscale.npz", "--no-scale", "--embed-scale",
                                       "--positional", "none", "--label-smoothing", "0"))
        self.assertPasses(self.fixture("causal.npz", "--arch", "encoder", "--mask", "causal"))

    def test_float32_noise_floor_is_reported_and_can_be_the_bar(self):
        # The fixture's gradients are float64 values rounded to float32 (relative error
        # ≤ 2^-24 ≈ 6e-8 per entry), so a bar of 1e-9 fails them, while 10× PyTorch's own
        # float32 error (floored at 2^-24) accepts them.
        path = self.fixture("floor.npz", "--skip-fd")
        status, out = self.verify(path, "--rtol", "1e-9", "--atol", "0")
        self.assertEqual(status, 1, out)
        self.assertIn("(torch f32 ", out)
        self.assertIn("engine error / PyTorch float32 error", out)
        self.assertPasses(path, "--rtol", "1e-9", "--atol", "0", "--f32-factor", "10")

    def test_words_outside_a_trained_vocabulary_read_unk(self):
        import verify_export
        for arch in ("decoder", "encoder-decoder"):
            with self.subTest(arch=arch):
                path = self.fixture(f"unk-{arch}.npz", "--arch", arch, "--unknown-word")
                self.assertPasses(path)
                status, out = quiet(verify_export.main, path)
                self.assertEqual(status, 0, out)

    def test_a_wrong_gradient_fails(self):
        for name in ("grad.embed.E", "grad.dec.0.self_attn.weights", "grad.enc.1.norm2.gamma",
                     "grad.logits"):
            with self.subTest(name=name):
                path = self.fixture("bad.npz", "--corrupt", name, "--skip-fd")
                status, out = self.verify(path)
                self.assertEqual(status, 1, out)
                self.assertIn(f"FAIL  {name} ", out)

    def rewrite(self, path, change):
        """Load an npz fixture, apply change(dict of arrays), save it back."""
        with np.load(path) as z:
            arrays = {n: z[n] for n in z.files}
        change(arrays)
        np.savez(path, **arrays)

    def test_nonzero_gradient_at_a_minus_infinity_cell_fails(self):
        path = self.fixture("mask.npz", "--arch", "decoder", "--skip-fd")
        name = "grad.dec.0.self_attn.masked"

        def spoil(a):
            a[name] = a[name].copy()
            a[name][0, 0, 1] = 1e-12      # row 0 sees only itself: cell (0, 1) is −∞
        self.rewrite(path, spoil)
        status, out = self.verify(path)
        self.assertEqual(status, 1, out)
        self.assertIn("1 gradients at −∞ cells are not exactly 0", out)

    def test_missing_gradient_and_forward_mismatch_fail(self):
        path = self.fixture("missing.npz", "--skip-fd")
        self.rewrite(path, lambda a: a.pop("grad.dec.1.ffn.relu"))
        status, out = self.verify(path)
        self.assertEqual(status, 1, out)
        self.assertIn("MISSING grad.dec.1.ffn.relu", out)

        path = self.fixture("forward.npz", "--skip-fd")
        self.rewrite(path, lambda a: a.__setitem__("enc.0.ffn.out", a["enc.0.ffn.out"] + 0.01))
        status, out = self.verify(path)
        self.assertEqual(status, 1, out)
        self.assertIn("enc.0.ffn.out: forward value differs", out)

    def test_wrong_loss_fails_and_odd_targets_warn(self):
        path = self.fixture("loss.npz", "--skip-fd")
        self.rewrite(path, lambda a: a.__setitem__("loss", np.float32(a["loss"] + 1e-3)))
        status, out = self.verify(path)
        self.assertEqual(status, 1, out)
        self.assertIn("FAIL  loss", out)

        # Targets shifted by one are a different loss: gradients differ, and a warning says
        # the targets do not follow the next-token convention.
        path = self.fixture("targets.npz", "--skip-fd")
        self.rewrite(path, lambda a: a.__setitem__("loss.targets",
                                                   np.roll(a["loss.targets"], 1)))
        status, out = self.verify(path)
        self.assertEqual(status, 1, out)
        self.assertIn("differ from the next-token convention", out)

    def test_plain_export_without_gradients_is_a_usage_error(self):
        path = self.fixture("plain.npz", "--skip-fd")

        def strip(a):
            for n in [n for n in a if n.startswith("grad.") or n.startswith("loss")]:
                a.pop(n)
            meta = json.loads(bytes(a["meta"]).decode("utf-8"))
            meta.pop("loss")
            a["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        self.rewrite(path, strip)
        status, out = self.verify(path)
        self.assertEqual(status, 2, out)
        self.assertIn("was the file written with --grads?", out)
        status, _ = self.verify(os.path.join(self.dir.name, "nope.npz"))
        self.assertEqual(status, 2)


if __name__ == "__main__":
    unittest.main()
