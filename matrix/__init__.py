"""`make test-matrix`: the compatibility subset of the tests (marker `compat`) on every supported
pyspark release, each in its own environment with the Spark server of that same installation,
and the page of the docs that shows the results (docs/pyspark-releases.md).

python -m matrix            # every supported release; writes the page, exits 1 if one failed
python -m matrix 4.0 4.2    # only these (prints the table, leaves the page alone)
"""
