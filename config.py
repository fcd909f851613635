"""Application settings: one object, read from environment variables or `.env`."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
VERSION = "0.1.0"

#: Placeholder secrets allowed only in demo mode; production refuses them.
DEMO_SECRET = "demo-only-secret-change-me-" + "0" * 38  # 64 bytes: long enough for HS512 too


class Settings(BaseSettings):
    """Every tunable of the app. Production is the default: without `DEMO_MODE=1` the app refuses
    the published demo secret and secrets shorter than 32 characters."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'ccrm.db'}"
    storage_secret: SecretStr = SecretStr(DEMO_SECRET)
    jwt_secret: SecretStr = SecretStr(DEMO_SECRET)
    #: Key for encrypting integration secrets at rest (Fernet); derived from JWT_SECRET when empty.
    encryption_key: SecretStr = SecretStr("")
    jwt_lifetime_hours: float = Field(12.0, gt=0, le=24 * 7)
    media_root: Path = ROOT / "var" / "media"
    #: The zero-setup demo (demo data, the published demo secrets, the simulator); `make run` sets it.
    demo_mode: bool = False
    #: Load the demo data into an empty database on start; defaults to DEMO_MODE.
    seed_demo_data: bool | None = None
    #: Outage bounds (seconds). Opening a database connection (TCP and sign-in) gives up after
    #: `DB_CONNECT_TIMEOUT`; PostgreSQL cancels a statement running longer than
    #: `DB_STATEMENT_TIMEOUT`, and the app stops waiting for any answer a second after that (a hung
    #: server or network); a request waits at most `DB_POOL_TIMEOUT` for a free pooled connection.
    db_connect_timeout: float = Field(5.0, ge=2, le=60)
    db_statement_timeout: float = Field(15.0, gt=0, le=600)
    db_pool_timeout: float = Field(5.0, gt=0, le=60)
    #: The `Retry-After` (seconds) of the 503 answered while the database is unreachable.
    outage_retry_after: int = Field(5, ge=1, le=300)
    log_level: str = "INFO"
    log_json: bool = True
    host: str = "0.0.0.0"
    port: int = 8080
    #: The address people and SmartMoving reach the app at (e.g. `https://crm.example.com`), shown
    #: where an absolute URL is needed (the webhook URL, the customer's tracking links in e-mails);
    #: empty: `http://localhost:<port>`.
    public_base_url: str = ""
    #: Addresses (IPs or CIDR networks, comma-separated) of the reverse proxies whose
    #: X-Forwarded-For / X-Forwarded-Proto are believed: the client IP of the audit trail and
    #: https for the Secure cookie. Empty (the default): the peer of the connection is the client,
    #: and forwarded headers are ignored, so nobody can forge the audited IP.
    trusted_proxies: str = ""

    # SmartMoving
    smartmoving_base_url: str = "https://api-public.smartmoving.com/v1"
    smartmoving_rate_per_minute: int = Field(120, gt=0)
    smartmoving_sync_minutes: int = Field(30, gt=0)
    smartmoving_catalogue_hours: int = Field(12, gt=0)
    #: A failing SmartMoving call is retried this long (429 storms, 5xx, resets, truncated bodies).
    smartmoving_retry_seconds: float = Field(120.0, gt=0)
    #: No successful SmartMoving call for this long fails the whole run ("unreachable").
    smartmoving_unreachable_seconds: float = Field(300.0, gt=0)
    #: In demo mode the app starts the SmartMoving simulator in-process on this port.
    simulator_port: int = 8765
    #: Run that simulator (and point the demo company's integration at it); defaults to DEMO_MODE.
    simulator_enabled: bool | None = None
    #: Client rate towards the in-process simulator, which has no 120/min limit (the live API has).
    simulator_rate_per_minute: int = Field(3000, gt=0)
    scheduler_enabled: bool = True

    # Mail (the outbox in PostgreSQL, drained by the scheduler: domain/mail)
    #: The From of every e-mail the app sends.
    mail_from: str = "C&C CRM <no-reply@localhost>"
    #: The SMTP server of production; empty: mail waits in the outbox (in demo mode the local one).
    smtp_host: str = ""
    smtp_port: int = Field(587, gt=0, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    #: Upgrade the connection with STARTTLS before signing in (the server must offer it).
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(20.0, gt=0, le=120)
    #: In demo mode the app serves a local SMTP server (aiosmtpd) on this port, keeps what it
    #: receives (the "Sent mail" view) and sends to it.
    demo_smtp_port: int = Field(8025, gt=0, le=65535)
    #: Serve that local SMTP server (and send to it); defaults to DEMO_MODE.
    demo_mail_server: bool | None = None
    #: How often the outbox is drained, and the most e-mails one run sends.
    mail_drain_seconds: int = Field(15, gt=0, le=3600)
    mail_batch_size: int = Field(20, gt=0, le=500)
    #: Redis for the browser sessions (NiceGUI's `app.storage.user`), shared by every instance so
    #: that a browser moved to another instance stays signed in, e.g. `redis://127.0.0.1:6379/0`.
    #: Empty: sessions are files under NICEGUI_STORAGE_PATH, private to the instance.
    redis_url: str = ""
    #: Prefix of the session keys in Redis (several deployments may share one Redis).
    redis_key_prefix: str = "ccrm:nicegui:"

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.demo_mode:
            return self
        weak = [
            name
            for name in ("storage_secret", "jwt_secret")
            if len(getattr(self, name).get_secret_value()) < 32
            or getattr(self, name).get_secret_value() == DEMO_SECRET
        ]
        if weak:
            raise ValueError(
                "production mode needs real secrets (at least 32 characters, not the published demo secret): "
                + ", ".join(n.upper() for n in weak)
                + " (set them in the environment or .env; DEMO_MODE=1 runs the demo instead)"
            )
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an IP address or network") from exc
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def should_seed(self) -> bool:
        return self.demo_mode if self.seed_demo_data is None else self.seed_demo_data

    @property
    def should_run_simulator(self) -> bool:
        return self.demo_mode if self.simulator_enabled is None else self.simulator_enabled

    @property
    def should_run_mail_server(self) -> bool:
        return self.demo_mode if self.demo_mail_server is None else self.demo_mail_server

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def public_url(self) -> str:
        """PUBLIC_BASE_URL without a trailing slash (or this machine's address on PORT)."""
        return (self.public_base_url or f"http://localhost:{self.port}").rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
