"""Layers: planning a re-solve, comparing and showing schedules never load OR-Tools."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_request_conversion_resolve_render_and_the_cli_do_not_import_ortools() -> None:
    """`schedule diff`, `check`, `timetable` and re-solve planning stay light; only a stage that
    builds a model or the relaxation loads OR-Tools (a re-solve kept to its draft never does)."""
    code = (
        "import sys\n"
        "import scheduler.resolve, scheduler.changes, scheduler.render\n"
        "import scheduler.solver.request, scheduler.solver.convert\n"
        "import scheduler.solver.rooms, scheduler.solver.greedy, scheduler.solver.prepared, scheduler.cli\n"
        "import scheduler.explain, scheduler.forcing, scheduler.stats\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'ortools')\n"
        "assert not loaded, loaded\n"
        "import scheduler.solver.pipeline\n"
        "assert not any(m.split('.')[0] == 'ortools' for m in sys.modules), 'the pipeline loads it by stage'\n"
        "import scheduler.solver.ortools.model\n"
        "assert 'ortools' in sys.modules  # the checks above can fail: the model does load it\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
