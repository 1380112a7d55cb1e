from scheduler.cli import app

app(prog_name="schedule")
