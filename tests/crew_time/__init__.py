"""Crew time: clock events, timesheets, payroll."""
