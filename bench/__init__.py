"""Benchmarks: scripts that print one JSON line of figures (DESIGN §6). Never imported by the app."""
