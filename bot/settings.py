"""Typed settings: environment, then `.env`, then `config/bot.toml`, then the defaults here.

Built by `get_settings()` so nothing is read at import time and tests can override any field.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.privacy import PrivacyConfig, load_privacy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'bot.db'}"
DEFAULT_DATA_KEY_FILE = PROJECT_ROOT / "data" / "data.key"


def config_dir() -> Path:
    """Where the `config/*.toml` files live; `CONFIG_DIR` moves it (tests, deployments)."""
    return Path(os.environ.get("CONFIG_DIR", DEFAULT_CONFIG_DIR))


class ReminderSettings(BaseModel):
    offsets_hours: list[float] = Field(default=[24.0, 1.0])


class OutboxSettings(BaseModel):
    poll_seconds: float = 30.0
    batch_size: int = 50
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    stale_claim_seconds: float = 300.0
    # People reached at the same time, so rate-limit waits overlap instead of adding up.
    concurrency: int = 8
    # After Discord refuses a DM (closed DMs), how long to use the private thread before
    # trying a DM again (people open their DMs later).
    dm_retry_days: float = Field(default=30.0, gt=0)


class BuddySettings(BaseModel):
    approval_mode: str = "auto"  # "auto" introduces at once; "approve" asks coordinators first
    run_day: str = "mon"
    run_time: str = "10:00"
    default_capacity: int = 2
    checkin_days: list[int] = Field(default=[7, 28])
    pair_weeks: int = 12


class FeedbackSettings(BaseModel):
    ask_after_minutes: int = 30


class SeriesSettings(BaseModel):
    # Repeating activities: each date is made this many weeks ahead (the rolling window).
    window_weeks: int = 8


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    discord_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL only: keep the bot's tables in this schema (empty: the server's default).
    database_schema: str = ""
    # The key that encrypts free text at rest: base64 of 32 bytes (during a rotation, the new
    # key, a comma, then the old one). Unset: a key file, made on first start (owner-only).
    data_key: SecretStr | None = None
    data_key_file: Path = DEFAULT_DATA_KEY_FILE
    log_level: str = "INFO"
    default_timezone: str = "Europe/London"
    default_quiet_hours: str = "21:00-08:00"
    # Seconds discord.py waits after the last GUILD_CREATE before it is ready.
    guild_ready_timeout: float = 2.0
    # Needs "Message Content Intent" switched on in the Developer Portal; without it replies in
    # feedback threads cannot be read. Set MESSAGE_CONTENT=false if you leave it off.
    message_content: bool = True
    # Only for running against a local Discord simulator; empty means the real Discord.
    discord_api_url: str = ""
    discord_gateway_url: str = ""

    reminders: ReminderSettings = ReminderSettings()
    outbox: OutboxSettings = OutboxSettings()
    buddies: BuddySettings = BuddySettings()
    feedback: FeedbackSettings = FeedbackSettings()
    series: SeriesSettings = SeriesSettings()

    @cached_property
    def privacy(self) -> PrivacyConfig:
        """config/privacy.toml: who is responsible for the data and how long it is kept.
        Read on first use (start-up does that first); PrivacyFileError names the bad line."""
        return load_privacy(config_dir())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_dir() / "bot.toml")
        return (init_settings, env_settings, dotenv_settings, toml)


def get_settings(**overrides: object) -> Settings:
    """Build the settings afresh; keyword arguments win over every other source."""
    return Settings(**overrides)  # type: ignore[arg-type]
