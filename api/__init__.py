"""The JSON API, served under `/api`: thin routers over the domain, one response envelope."""
