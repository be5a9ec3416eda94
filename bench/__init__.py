"""Benchmarks of the application, run by `make bench` (bench/run.py); never part of the tests."""
