"""Metrics shared by training, evaluation and the CLI.

``img2asy.eval.ink`` holds the ink-coverage measure used by the dataset self-check.
"""
