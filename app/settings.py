"""One Settings object, read once from TUNEWISE_* environment variables and injected everywhere."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me"
DEV_HOSTS = ("localhost", "127.0.0.1", "::1")
PREFIX = "TUNEWISE_"
# Settings that may hold a secret: each also reads from a file named by TUNEWISE_<NAME>_FILE (Docker and Kubernetes
# secrets), and their values never appear in an error message. Append new secret settings here.
SECRET_SETTINGS: tuple[str, ...] = ("secret_key", "metrics_token", "database_url", "oidc_client_secret")


class ConfigError(ValueError):
    """The configuration cannot start the app; the message lists every problem found, one a line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        super().__init__(f"Tunewise cannot start: the configuration has {count}:\n"
                         + "\n".join(f"  - {p}" for p in problems))


class Settings(BaseSettings):
    """Every setting of Tunewise; `TUNEWISE_<NAME>` in the environment overrides each one."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

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
    workers: int = Field(default=1, ge=1)  # worker processes of `tunewise serve` (its --workers overrides it)
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a line (time, level, request id, …)
    metrics: bool = False  # serve Prometheus metrics at /metrics
    metrics_token: str = ""  # when set, /metrics wants `Authorization: Bearer <token>`
    # Single sign-on for admins (OpenID Connect); README "Single sign-on". Off while oidc_issuer is empty.
    oidc_issuer: str = ""  # exactly the provider's issuer, e.g. https://accounts.google.com
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email"  # add e.g. "groups" when the provider sends groups only on request
    oidc_admin_emails: str = ""  # comma-separated allow-list of verified emails
    oidc_admin_group: str = ""  # members of this group (in the claim below) may be admins too
    oidc_group_claim: str = "groups"
    password_login: bool = True  # off: no password form, password sign-in POSTs refused (SSO only)
    # Webhooks (README "Webhooks"): one POST's timeout, attempts before a delivery fails, the first retry's delay
    # (each next one doubles, with jitter, up to an hour).
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 8
    webhook_retry_seconds: float = 30.0

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        """Checks across settings, every failing one reported: production mode must not run on the development
        secret, without HTTPS (unless told so) or without a way to tell its own host from a forged Host header;
        the public origin is scheme://host[:port]."""
        problems = self._production_problems() if self.production else []
        problems += self._single_sign_on_problems()
        if self.public_origin:
            parts = urlsplit(self.public_origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
                problems.append("TUNEWISE_PUBLIC_ORIGIN must look like https://tunewise.example.org")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _production_problems(self) -> list[str]:
        """What production mode lacks."""
        problems = []
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            problems.append("TUNEWISE_SECRET_KEY must be set (32+ characters) when TUNEWISE_PRODUCTION=1")
        if not self.https and not self.allow_plain_http:
            problems.append("TUNEWISE_HTTPS=1 is required when TUNEWISE_PRODUCTION=1 (Secure cookies, HSTS); set "
                            "TUNEWISE_ALLOW_PLAIN_HTTP=1 instead only if browsers really reach it over plain HTTP")
        if not self.public_origin and not self.hosts:
            problems.append("Set TUNEWISE_PUBLIC_ORIGIN (or TUNEWISE_ALLOWED_HOSTS) when TUNEWISE_PRODUCTION=1")
        return problems

    def _single_sign_on_problems(self) -> list[str]:
        """What single sign-on lacks: a half-configured provider, nobody allowed, or no way to sign in at all."""
        if not self.oidc_issuer:
            named = [n for n in ("oidc_client_id", "oidc_client_secret", "oidc_admin_emails", "oidc_admin_group")
                     if getattr(self, n)]
            listed = ", ".join(PREFIX + n.upper() for n in named)
            problems = [f"{listed} set but TUNEWISE_OIDC_ISSUER is not"] if named else []
            if not self.password_login:
                problems.append("TUNEWISE_PASSWORD_LOGIN=0 needs single sign-on (TUNEWISE_OIDC_ISSUER): "
                                "otherwise nobody can sign in")
            return problems
        parts = urlsplit(self.oidc_issuer)
        checks = (
            (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in DEV_HOSTS),
             "TUNEWISE_OIDC_ISSUER must be an https:// URL (http:// only on loopback, for tests)"),
            (bool(self.oidc_client_id), "TUNEWISE_OIDC_CLIENT_ID must be set when TUNEWISE_OIDC_ISSUER is"),
            (bool(self.oidc_client_secret), "TUNEWISE_OIDC_CLIENT_SECRET (or _FILE) must be set when "
                                            "TUNEWISE_OIDC_ISSUER is"),
            (bool(self.oidc_admin_email_set or self.oidc_admin_group),
             "Set TUNEWISE_OIDC_ADMIN_EMAILS or TUNEWISE_OIDC_ADMIN_GROUP: otherwise nobody may sign in"),
            (bool(self.public_origin), "TUNEWISE_PUBLIC_ORIGIN must be set for single sign-on (the redirect URI is "
                                       "TUNEWISE_PUBLIC_ORIGIN/admin/oidc/callback)"),
            ("openid" in self.oidc_scopes.split(), "TUNEWISE_OIDC_SCOPES must include openid"),
        )
        return [problem for ok, problem in checks if not ok]

    @property
    def oidc_admin_email_set(self) -> frozenset[str]:
        """The allow-list of TUNEWISE_OIDC_ADMIN_EMAILS, trimmed and lower-cased like stored admin emails."""
        return frozenset(e.strip().lower() for e in self.oidc_admin_emails.split(",") if e.strip())

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


def secret_files(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The secret settings read from the files their TUNEWISE_<NAME>_FILE variables name (one trailing newline
    dropped, as `echo` and editors leave one), and the problems: both variables set, a file that cannot be read."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for name in SECRET_SETTINGS:
        variable = PREFIX + name.upper()
        path = environ.get(f"{variable}_FILE")
        if path is None:
            continue
        if environ.get(variable):  # an empty one is unset (Compose blanks the image's SQLite default that way)
            problems.append(f"{variable} and {variable}_FILE are both set: keep one")
            continue
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not readable UTF-8 text"
            problems.append(f"{variable}_FILE: cannot read {path} ({reason})")
            continue
        values[name] = text.removesuffix("\n").removesuffix("\r")
    return values, problems


def field_problems(error: ValidationError) -> list[str]:
    """One readable line per invalid setting: its variable, the reason and (unless secret) the value given."""
    problems = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if not item["loc"]:  # a check across settings: one line per problem it found
            problems.extend(message.splitlines())
            continue
        name = str(item["loc"][0])
        shown = "" if name in SECRET_SETTINGS else f" (got {item['input']!r})"
        problems.append(f"{PREFIX}{name.upper()}: {message}{shown}")
    return problems


def load_settings() -> Settings:
    """Settings from the environment and the secret files; every problem found is listed in one ConfigError."""
    values, problems = secret_files(os.environ)
    try:
        settings = Settings(**values)  # type: ignore[arg-type]  # secret files hold strings, their fields are str
    except ValidationError as error:
        problems += field_problems(error)
    if problems:
        raise ConfigError(problems)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment (and secret files) once."""
    return load_settings()
