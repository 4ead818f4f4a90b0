"""Benchmarks for the Doudi engine (``python -m bench.engine``)."""
