"""The server layer: the user's shared Spark Connect server through the Rust core, profiles, remote
endpoints and the Spark UI link. Imports neither IPython nor pyspark, so the CLI and the detached
helpers (idle watchdog, start-up archive builder) stay light."""
