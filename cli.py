"""Run `schedule` from a checkout: python cli.py solve instances/2025.yaml."""

from scheduler.cli import app

if __name__ == "__main__":
    app(prog_name="schedule")
