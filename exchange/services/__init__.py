"""State changes, one module per part of the domain. Views, tasks and commands call these."""
