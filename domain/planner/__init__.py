"""The planner: trucks and people × days across a dispatcher's branches, drag to assign, suggested crews."""
