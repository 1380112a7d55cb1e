"""schedule: a B2B meeting scheduler for brokerage events, built on OR-Tools CP-SAT."""

__version__ = "0.1.0"
