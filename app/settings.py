"""One Settings object, read once from TUNEWISE_* environment variables and injected everywhere."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me"


class Settings(BaseSettings):
    """Every setting of Tunewise; `TUNEWISE_<NAME>` in the environment overrides each one."""

    model_config = SettingsConfigDict(env_prefix="TUNEWISE_", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'tunewise.db'}"
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False
    public_origin: str = ""  # e.g. https://tunewise.example.org; empty = derive from the request
    https: bool = False  # served over HTTPS: Secure cookies, __Host- prefix, HSTS
    max_body_bytes: int = 64 * 1024
    share_link_days: int = 30  # default expiry of a view link; 0 = never
    rate_limit_per_minute: int = 60  # anonymous POST /assessments and /api/*, per client address
    report_cache_size: int = 512
    access_log: bool = True
    timings: bool = False  # expose /_timings (per-route latency histograms) for load tests and the benchmark
    strict_templates: bool = False  # StrictUndefined: the tests turn it on
    sqlite_max_page_count: int = 0  # fault injection only: a "full disk" after this many pages
    knowledge_dir: Path = ROOT / "app" / "data"  # axes, rules, questions, prices, sources (*.toml)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Production mode must not run on the development secret."""
        if self.production and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("TUNEWISE_SECRET_KEY must be set (32+ characters) when TUNEWISE_PRODUCTION=1")
        return self

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite database."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
