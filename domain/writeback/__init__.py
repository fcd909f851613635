"""Write-back to SmartMoving (Premium): a completed journey's completion report attached to its
opportunity and a job note (crew, times, exceptions), through a durable outbox in PostgreSQL.

`queue` writes the rows in the completion's unit of work, `drain` sends them (the scheduler's job,
`schedule`), `status` is what the super admin portal shows and its retry."""
