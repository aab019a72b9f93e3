"""Settings. The only module that reads environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMSPILL_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    # The connection the app uses. On PostgreSQL this must be an ordinary role (no superuser,
    # no BYPASSRLS) so that row-level security applies.
    # The default, like storage_dir's, is relative to the working folder (the checkout for
    # `make run`), never to where the package is installed.
    database_url: str = "sqlite:///var/samspill.db"
    # The owner's connection, used by migrations and reference-data loading only.
    # Defaults to database_url.
    migration_database_url: str | None = None
    # On PostgreSQL, `samspill migrate` grants this role what the app needs.
    app_db_role: str | None = None

    base_url: str = "http://127.0.0.1:8000"
    port: int = 8000
    # uvicorn processes of `samspill serve`. Unset: one per core, on PostgreSQL and on SQLite
    # alike (one in production while the rate limits are counted in memory, which each process
    # would do on its own). See `worker_count`.
    workers: int | None = None
    # Database connections each worker process keeps open (PostgreSQL); unset, they are shared
    # out from about 40 for all workers together (see app.db.pool_size).
    database_pool_size: int | None = None
    # Worker threads of each worker process for the sync parts of a request (a request's one
    # trip: its set-up, route and commit, app.accounts.one_trip): the size of anyio's shared
    # thread limiter. 0 keeps anyio's 40, the default. Before a request made one trip, a few
    # threads (2 or 4) stalled SQLite writes until the busy timeout (a write held the lock
    # while waiting for a thread); now 4 run the mixed load without errors, but bring no clear
    # gain over 40 (bench/load.py --threads 4, 2026-12-05).
    threads: int = 0
    # The help desk's twelve-month key figures on the start page (median time to a first
    # response, average rating) are computed at most this often per workspace and process;
    # 0 computes them on every view.
    key_figures_cache_seconds: int = 600
    # A consultation summary PDF of more comments than this is made in the worker, and the
    # person gets a page that shows the link when it is ready; smaller ones are made at once.
    summary_pdf_background_from: int = 500
    # How long /readyz waits for SQLite's write lock before it reports the database not ready
    # (a request that writes would wait up to five seconds and then fail); 0 skips the probe.
    ready_write_wait_seconds: float = 2.0
    storage_dir: Path = Path("var") / "storage"
    # Where files (attachments, keys) are kept: "local" (storage_dir, the embedded default) or
    # "s3" (an S3-compatible bucket; what several app machines need).
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # e.g. https://s3.example.no; unset: AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_prefix: str = ""  # key prefix inside the bucket, e.g. "samspill/"

    # Addresses of the reverse proxies whose X-Forwarded-For/-Proto headers are believed
    # (comma-separated addresses or networks, "*" for any). Others' headers are ignored.
    forwarded_allow_ips: str = "127.0.0.1"

    # How long `samspill serve` keeps an idle connection open for the next request. Longer than
    # the proxy's (Caddy's `keepalive 60s` in deploy/Caddyfile) and a client's idle limit: who
    # closes first must be the other side, or a request sent on the connection just as the
    # server closes it is lost in transit (uvicorn's own 5 s dropped 2–3 requests in 10,000
    # under bench/load.py's mixed load).
    keep_alive_seconds: int = Field(default=75, ge=1)

    # /metrics (Prometheus): open to requests from these addresses or networks, or to any
    # request with `Authorization: Bearer <metrics_token>`.
    metrics_token: str | None = None
    metrics_allowed_ips: str = "127.0.0.1,::1"

    # In production, SQLite is refused unless this is set (one machine: the file is local).
    allow_sqlite_in_production: bool = False

    # Signs links that work without a login (the opt-out link in deadline reminders). Set it
    # (32+ random characters) when several machines serve the app; unset, a random key is kept
    # in the storage folder.
    secret_key: str | None = None

    session_idle_hours: int = 8
    session_absolute_days: int = 7
    # Failed logins allowed in the window per account and client address, and per address
    # across all accounts.
    login_max_failures: int = 5
    login_max_failures_per_address: int = 20
    login_failure_window_minutes: int = 15
    invitation_days: int = 7
    password_reset_minutes: int = 60
    # `samspill purge` removes sent mail older than this.
    purge_sent_mail_days: int = 30
    # ... and finished summary exports (their rows and files) older than this.
    purge_exports_days: int = 7

    # OpenID Connect (Ansattporten, ID-porten, Entra ID, Keycloak, ...). Enabled when issuer is set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_acr: str | None = None
    oidc_scopes: str = "openid email profile"
    oidc_display_name: str = "ID-porten"
    # Link a first OIDC login to an account or invitation by an e-mail address the provider does
    # not mark as verified (email_verified). Only for providers whose addresses come from the
    # organisation's own directory (Entra ID, Ansattporten).
    oidc_trust_email: bool = False

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Samspill <ikke-svar@samspill.local>"
    # Run the mail worker inside the web process (the embedded default; `make run` sets it).
    mail_worker_in_process: bool = False
    # "smtp" sends mail; "mailbox" keeps it in the outbox and shows it at /dev/post (development
    # only). Unset: mailbox in development, smtp otherwise.
    mail_transport: Literal["smtp", "mailbox"] | None = None

    default_locale: Literal["nb", "nn", "en"] = "nb"
    page_size: int = Field(default=50, ge=1, le=500)
    # Attachments on help requests: the largest file, and how many files one message may carry.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_message: int = 5
    # Largest request body accepted; larger ones are refused before they are read. Room for a
    # message with its full number of attachments.
    max_request_bytes: int = 52 * 1024 * 1024

    # Rate limits (app/ratelimit.py), as the `limits` library writes them ("60/minute",
    # "1000 per hour"). Writes (POST/PUT/PATCH/DELETE) count per person (signed-in user or API
    # token) and per client address; every API request counts per token (or user) and address.
    # A county office puts many people behind one address: the address limits are generous.
    rate_limits_enabled: bool = True
    rate_limit_writes_per_user: str = "60/minute"
    rate_limit_writes_per_address: str = "600/minute"
    rate_limit_api_per_token: str = "600/minute"  # noqa: S105 (a rate, not a secret)
    rate_limit_api_per_address: str = "3000/minute"
    rate_limit_strategy: Literal["moving-window", "fixed-window", "sliding-window-counter"] = (
        "moving-window"
    )
    # Where the counts are kept: "memory://" (this process only: one worker on one machine) or
    # Redis ("redis://host:6379/0"), shared by every worker and machine.
    rate_limit_storage: str = "memory://"
    # Notification mails: past this many to one person from one workspace within
    # notification_digest_minutes, further ones wait and go as one digest at the end of the
    # window.
    notification_digest_after: int = Field(default=10, ge=1)
    notification_digest_minutes: int = Field(default=60, ge=1)

    @field_validator(
        "rate_limit_writes_per_user",
        "rate_limit_writes_per_address",
        "rate_limit_api_per_token",
        "rate_limit_api_per_address",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        parse(value)  # ValueError: not a rate the limits library reads
        return value

    @property
    def owner_database_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def worker_count(self) -> int:
        """``workers``, or the default for this machine: one worker process per core.

        On SQLite too: a page costs mostly Python (ORM, templates), which one process runs on
        one core at a time, while SQLite in WAL mode lets every process read at once and only
        the short write transactions take turns (``app.db``); a page's queries spend well under
        a millisecond in SQLite itself. bench/sqlite_concurrency.py (16 readers and a writer,
        2 cores): two workers answered 1.3-2 times the requests of one, with a shorter tail,
        no errors and no "database is locked"; each worker takes about 210 MB. One in
        production while the rate limits are counted in memory (each process would count on
        its own)."""
        if self.workers:
            return self.workers
        if (
            self.environment == "production"
            and self.rate_limits_enabled
            and self.rate_limit_storage.startswith("memory")
        ):
            return 1
        return max(1, os.cpu_count() or 1)

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"

    @property
    def mail_to_mailbox(self) -> bool:
        if self.mail_transport is not None:
            return self.mail_transport == "mailbox"
        return self.environment == "development"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


# Values people copy from examples; a secret key like these is no secret.
_EXAMPLE_SECRETS = {"change-me", "changeme", "secret", "samspill", "please-change-me"}


def production_problems(settings: Settings) -> list[str]:
    """What must be set before the app may run with ``environment=production``; each line says
    what to set. Empty when nothing is wrong (or the environment is not production)."""
    from urllib.parse import urlsplit

    if settings.environment != "production":
        return []
    problems = []
    if settings.database_url.startswith("sqlite") and not settings.allow_sqlite_in_production:
        problems.append(
            "SAMSPILL_DATABASE_URL is SQLite: set it to PostgreSQL "
            "(postgresql+psycopg://samspill_app:…@host/samspill), or set "
            "SAMSPILL_ALLOW_SQLITE_IN_PRODUCTION=true for a single-machine installation."
        )
    base = urlsplit(settings.base_url)
    host = (base.hostname or "").lower()
    if base.scheme != "https":
        problems.append(
            f"SAMSPILL_BASE_URL ({settings.base_url}) must start with https:// — it is the "
            "public address used in e-mailed links and the login redirect."
        )
    if host in {"", "localhost", "0.0.0.0", "::1", "::"} or host.startswith("127."):  # noqa: S104
        problems.append(
            f"SAMSPILL_BASE_URL ({settings.base_url}) points at this machine: set the public "
            "address people use, e.g. https://samspill.trondelagfylke.no."
        )
    if settings.mail_to_mailbox:
        problems.append(
            "SAMSPILL_MAIL_TRANSPORT=mailbox is for development only: unset it, or set smtp."
        )
    elif not settings.smtp_host:
        problems.append(
            "No SMTP server: set SAMSPILL_SMTP_HOST (and SAMSPILL_SMTP_PORT, _USERNAME, "
            "_PASSWORD, _STARTTLS as your mail server needs)."
        )
    secret = settings.secret_key or ""
    if not secret:
        problems.append(
            "SAMSPILL_SECRET_KEY is not set: set it to 32 or more random characters "
            "(e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        )
    elif len(secret) < 32 or secret.lower() in _EXAMPLE_SECRETS:
        problems.append(
            "SAMSPILL_SECRET_KEY is too short or an example value: set it to 32 or more random "
            "characters."
        )
    if settings.storage_backend == "s3" and not settings.s3_bucket:
        problems.append("SAMSPILL_STORAGE_BACKEND=s3 needs SAMSPILL_S3_BUCKET.")
    if (
        settings.rate_limits_enabled
        and settings.worker_count > 1
        and settings.rate_limit_storage.startswith("memory")
    ):
        problems.append(
            f"SAMSPILL_RATE_LIMIT_STORAGE is memory:// with {settings.worker_count} workers: each "
            "process would count on its own. Set it to Redis (redis://host:6379/0)."
        )
    return problems


class ConfigurationError(SystemExit):
    """Raised at start when the settings cannot run in production. A SystemExit, so that the
    command stops with the message and no traceback."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Samspill will not start in production until these settings are fixed:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def check_production(settings: Settings) -> None:
    problems = production_problems(settings)
    if problems:
        raise ConfigurationError(problems)


@lru_cache
def get_settings() -> Settings:
    return Settings()
