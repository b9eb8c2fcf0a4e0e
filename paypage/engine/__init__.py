"""The background side: the worker loop and what it runs (webhook delivery; later dunning steps)."""
