"""Outgoing e-mail: an outbox in the database (`outbox`), drained on a schedule to a pluggable
sender (`senders`: SMTP in production, the local demo server of `local_server` in demo mode)."""
