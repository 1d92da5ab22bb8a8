"""`python -m sparkconnect`: the terminal command."""

import sys

from .cli import main

sys.exit(main())
