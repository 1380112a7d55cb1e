"""The solver layer: request and outcome types, room assignment, the greedy, and the CP-SAT stages.

Deliberately empty: `scheduler.solver.request`, `.prepared`, `.convert`, `.rooms` and
`.greedy` never load OR-Tools, so planning a re-solve or comparing schedules stays light.
Only `scheduler.solver.ortools` and `scheduler.solver.pipeline` import it.
"""
