"""What the test suites share: running cells on a real shell, the terminal command and a state
record (helpers), kernels with a server started (kernels), JupyterLab for the browser test
(jupyterlab), a standalone Spark cluster (standalone), the Spark UI's REST API (spark_ui),
notebook-like processes around a server (processes), and what a refusal looks like (refusal).
What the benchmarks use too (real kernels, processes in /proc) is in drive/, beside bench/."""
