"""Simulated Dinari node (standard library only); run with `python -m devnet`."""
