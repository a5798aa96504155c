"""Benchmarks and synthetic classes (not part of the installed grader package): `make bench`."""
