"""Everything that talks to OR-Tools: the aggregate relaxation, the CP-SAT model, interruptible solving."""
