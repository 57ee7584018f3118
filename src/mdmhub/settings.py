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
    max_batch_size: int = Field(default=1000, ge=1)
    load_chunk_size: int = Field(
        default=5000, ge=1, description="Records per committed chunk of a bulk load."
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
    bootstrap_admin_key: SecretStr | None = Field(
        default=None,
        description="An admin API key (mdm_<id>_<secret>) registered at start-up, for "
        "automation; without it the first start creates one and prints it.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
