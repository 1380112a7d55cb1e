"""`python -m scheduler`: the same entry as the `schedule` command."""

from scheduler.cli import main

main(prog_name="schedule")
