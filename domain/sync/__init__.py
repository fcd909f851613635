"""The SmartMoving sync: maps the integration package's plain records onto the database.

Modules: `catalogue` (branches → locations, service types, move sizes, materials, users),
`jobs` (what to write for today's and tomorrow's jobs), `mapping` (records → journey columns),
`store` (the bulk upsert), `runs` (SyncRun bookkeeping), `budget` (monthly call quota),
`guard` (one sync per integration), `service` (manual, scheduled and webhook runs), `schedule`,
`webhooks`, `settings` (integration settings), `history` (read models), `demo` (simulator wiring).
"""
