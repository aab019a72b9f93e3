"""Settings. The only module that reads environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    workers: int = 1
    storage_dir: Path = Path("var") / "storage"

    # Signs links that work without a login (the opt-out link in deadline reminders). Set it
    # (32+ random characters) when several machines serve the app; unset, a random key is kept
    # in the storage folder.
    secret_key: str | None = None

    session_idle_hours: int = 8
    session_absolute_days: int = 7
    login_max_failures: int = 5
    login_failure_window_minutes: int = 15
    invitation_days: int = 7

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

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Samspill <ikke-svar@samspill.local>"
    # Run the mail worker inside the web process (the embedded default; `make run` sets it).
    mail_worker_in_process: bool = False

    default_locale: Literal["nb", "nn", "en"] = "nb"
    page_size: int = Field(default=50, ge=1, le=500)
    # Attachments on help requests: the largest file, and how many files one message may carry.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_message: int = 5
    # Largest request body accepted; larger ones are refused before they are read. Room for a
    # message with its full number of attachments.
    max_request_bytes: int = 52 * 1024 * 1024

    @property
    def owner_database_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


@lru_cache
def get_settings() -> Settings:
    return Settings()
