"""The session layer: this process's Spark Connect session (pyspark), bound to the server the
server layer reports, and kept usable when that server dies or closes the session."""
