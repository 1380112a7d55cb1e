"""schedule: a B2B meeting scheduler for brokerage events, built on OR-Tools CP-SAT."""

import time

__version__ = "0.1.0"

IMPORTED = time.monotonic()
"""When the package was first imported: a command's --time-limit counts from here (typer, rich
and the rest load after it)."""
