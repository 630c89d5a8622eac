"""One Settings object, read once from TUNEWISE_* environment variables and injected everywhere."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me"
DEV_HOSTS = ("localhost", "127.0.0.1", "::1")


class Settings(BaseSettings):
    """Every setting of Tunewise; `TUNEWISE_<NAME>` in the environment overrides each one."""

    model_config = SettingsConfigDict(env_prefix="TUNEWISE_", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'tunewise.db'}"
    # Keys the HMAC that pseudonymises client addresses and typed sign-in emails in the throttle tables
    # (rate_limit, login_attempt): a copy of the database does not show who visited.
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False
    public_origin: str = ""  # e.g. https://tunewise.example.org: every absolute URL and the Origin check use it
    allowed_hosts: str = ""  # comma-separated Host names accepted without public_origin (development: loopback)
    https: bool = False  # served over HTTPS: Secure cookies, __Host- prefix, HSTS
    allow_plain_http: bool = False  # production without HTTPS on purpose: no Secure cookies, no HSTS
    forwarded_allow_ips: str = ""  # proxies trusted for X-Forwarded-For/-Proto (uvicorn's); empty = headers ignored
    max_body_bytes: int = 64 * 1024
    body_timeout_seconds: float = 10.0  # a request body not received in full by then gets 408
    share_link_days: int = 30  # default expiry of a view link; 0 = never
    rate_limit_per_minute: int = 60  # creates per client address a minute; other writes get multiples (web/limits)
    max_live_links: int = 20  # live (unrevoked, unexpired) view links per assessment
    max_results: int = 50  # stored results per assessment
    cache_mb: int = 48  # per-worker memory for rendered reports, question fragments and the weights preview
    access_log: bool = True
    timings: bool = False  # expose /_timings (per-route latency histograms) for load tests and the benchmark
    strict_templates: bool = False  # StrictUndefined: the tests turn it on
    sqlite_max_page_count: int = 0  # fault injection only: a "full disk" after this many pages
    knowledge_dir: Path = ROOT / "app" / "data"  # axes, rules, questions, prices, sources (*.toml)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Production mode must not run on the development secret, without HTTPS (unless told so) or without a
        way to tell its own host from a forged Host header."""
        if not self.production:
            return self
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            raise ValueError("TUNEWISE_SECRET_KEY must be set (32+ characters) when TUNEWISE_PRODUCTION=1")
        if not self.https and not self.allow_plain_http:
            raise ValueError("TUNEWISE_HTTPS=1 is required when TUNEWISE_PRODUCTION=1 (Secure cookies, HSTS); set "
                             "TUNEWISE_ALLOW_PLAIN_HTTP=1 instead only if browsers really reach it over plain HTTP")
        if not self.public_origin and not self.hosts:
            raise ValueError("Set TUNEWISE_PUBLIC_ORIGIN (or TUNEWISE_ALLOWED_HOSTS) when TUNEWISE_PRODUCTION=1")
        return self

    @model_validator(mode="after")
    def _check_origin(self) -> Settings:
        """TUNEWISE_PUBLIC_ORIGIN is scheme://host[:port], nothing more."""
        if self.public_origin:
            parts = urlsplit(self.public_origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
                raise ValueError("TUNEWISE_PUBLIC_ORIGIN must look like https://tunewise.example.org")
        return self

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite database."""
        return self.database_url.startswith("sqlite")

    @property
    def hosts(self) -> tuple[str, ...]:
        """The Host names (without port) requests may carry when no public origin is set."""
        named = tuple(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())
        return named or (() if self.production else DEV_HOSTS)

    @property
    def origin(self) -> str:
        """The configured public origin without a trailing slash ('' when unset)."""
        return self.public_origin.rstrip("/")

    def startup_lines(self) -> list[str]:
        """What the server says about its security-relevant mode when it starts."""
        mode = "production" if self.production else "development"
        if self.https:
            transport = "over HTTPS: Secure cookies with the __Host- prefix, HSTS"
        else:
            transport = "over plain HTTP: cookies without Secure, no HSTS"
            if self.production:
                transport += " (TUNEWISE_ALLOW_PLAIN_HTTP=1)"
        hosts = (f"absolute URLs from {self.origin}" if self.origin
                 else f"Host must be one of {', '.join(self.hosts)}")
        proxies = (f"X-Forwarded-For trusted from {self.forwarded_allow_ips}" if self.forwarded_allow_ips
                   else "X-Forwarded-For ignored")
        return [f"Tunewise {mode} mode, {transport}", f"{hosts}; {proxies}"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
