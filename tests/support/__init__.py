"""What the test suites (and the benchmarks in bench/) share: running cells on a real shell and
finding server processes (helpers), real Jupyter kernels (kernels), JupyterLab for the browser
test (jupyterlab), a standalone Spark cluster (standalone), the Spark UI's REST API (spark_ui),
notebook-like processes around a server (processes), and what a refusal looks like (refusal)."""
