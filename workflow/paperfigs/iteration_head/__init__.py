"""Iteration heads: a mechanistic study of chain-of-thought (arXiv 2406.02128)."""
