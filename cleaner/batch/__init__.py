"""Batch input and output: finding and reading inputs, cleaning them in workers, writing results."""
