"""The crew roster: drivers and movers of each branch, their week and their loans."""
