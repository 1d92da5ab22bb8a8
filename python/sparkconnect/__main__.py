"""`python -m sparkconnect`: the terminal command."""

import sys

from sparkconnect.cli import main

sys.exit(main())
