"""One settings object for the whole hub, read from `MDMHUB_*` environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MDMHUB_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./mdmhub.db"
    default_phone_region: str = Field(
        default="ES", description="ISO country used to read phone numbers written without +CC."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, description="`mdmhub serve` processes.")
    max_batch_size: int = Field(default=1000, ge=1)
    load_chunk_size: int = Field(
        default=5000, ge=1, description="Records per committed chunk of a bulk load."
    )
    first_load_records: int = Field(
        default=200_000,
        ge=0,
        description="Records of an entity's first load matched by a worker process, which "
        "holds them in memory (about 4 KB each); the rest go through the store.",
    )
    model_config_file: Path | None = Field(
        default=None,
        description="A TOML or YAML file overriding the shipped match models (see README).",
    )
    block_size_cap: int = Field(
        default=200,
        ge=2,
        description="A blocking key held by more records than this is skipped and counted.",
    )
    rate_limit_per_second: float = Field(
        default=500.0, gt=0, description="Requests each API key may make per second, sustained."
    )
    rate_limit_burst: int = Field(
        default=1000, ge=1, description="Requests a key may make at once before the limit bites."
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 above)."
    )
    log_level: str = Field(default="INFO", description="Level of the JSON log lines on stderr.")
    bootstrap_admin_key: SecretStr | None = Field(
        default=None,
        description="An admin API key (mdm_<id>_<secret>) registered at start-up, for "
        "automation; without it the first start creates one and prints it.",
    )
    run_webhook_worker: bool = Field(
        default=True,
        description="`mdmhub serve` delivers webhooks in a background thread; turn off when "
        "`mdmhub worker` runs elsewhere.",
    )
    refresh_customer_views: bool = Field(
        default=True,
        description="`mdmhub serve` keeps customer 360 views ready in a background thread; "
        "turn off when `mdmhub views refresh --follow` runs elsewhere.",
    )
    customer_view_poll_interval: float = Field(
        default=1.0, gt=0, description="Seconds the view refresher waits when all are fresh."
    )
    webhook_poll_interval: float = Field(
        default=1.0, gt=0, description="Seconds the worker waits when nothing was due."
    )
    webhook_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a subscriber has to answer a delivery."
    )
    webhook_backoff_base: float = Field(
        default=1.0, ge=0, description="After n failures in a row, wait min(base * 2^n, cap) s."
    )
    webhook_backoff_cap: float = Field(default=300.0, ge=0, description="Longest retry wait, s.")
    webhook_batch_size: int = Field(
        default=100, ge=1, description="Events a subscription gets per worker pass."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
