"""`python -m stellarcore` is the `stellarcore` command."""
import sys

from stellarcore.main.cli import main

sys.exit(main())
