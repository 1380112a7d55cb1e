"""The independent checker: every FORMAT.md rule, re-derived from the raw instance fields,
and the optional ones: programme items (and buffers), interpreters, travel rules.

It deliberately shares no code with the solver, with resolve.py, nor with model.py's derived
look-ups (room expansion, availability, options, attendance): a checker that reuses the
model's code would share its bugs. It reads only the validated input fields and the schedule.

History: a meeting that starts before the schedule's `frozen_until` happened. An instance
edited afterwards (availability narrowed, a room removed, a cap lowered) cannot undo it, so
for such meetings the rules about the instance's own data (1, 2, 5, 7's excess, 8) become
warnings; the rules between meetings (3, 4, 6) hold for history too. A cancellation counts
from its `from` moment: a meeting before it had that person, room or request.
"""

from scheduler.verify.core import review, verify
from scheduler.verify.report import Report, Violation

__all__ = ["Report", "Violation", "review", "verify"]
