"""Run `schedule` from a checkout: python cli.py solve instances/2025.yaml."""

from scheduler.cli import main

if __name__ == "__main__":
    main(prog_name="schedule")
