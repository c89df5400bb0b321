"""Working beyond memory and beyond one machine: memory budgets, temporary folders, executors."""
