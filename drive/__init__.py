"""Driving the package from outside, as its users do, for the tests and the benchmarks alike:
real Jupyter kernels run cell by cell (kernels.py), the processes they start as /proc shows them
(procfs.py), and waiting for what they do (waiting.py).

It belongs to neither: the benchmarks run without the test suite, and the tests without the
benchmarks. Development only: the wheel does not carry it."""
