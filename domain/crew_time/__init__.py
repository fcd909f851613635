"""domain/crew_time: clock events, timesheets, payroll."""
