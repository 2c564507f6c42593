"""Settings of the web platform, each with its default, its environment variable and its reason.

Nothing security-relevant is a literal buried in a handler: the login slow-down, the rate limit, the
trusted proxies, the session lifetimes and the password rule are read from here (``Settings.from_env()``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from carbonpeak.io.reading import Limits

ROLES = ("enterprise", "city_regulator", "province_regulator", "verifier", "admin")
LANGUAGES = ("zh", "en")


def _secret_key(path: Path) -> str:
    """The key that signs session cookies: CARBONPEAK_SECRET_KEY, else a file made once (mode 600)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    """Everything the web platform can be tuned by; ``from_env`` reads ``CARBONPEAK_<NAME>``."""

    database_url: str | None = None
    secret_key: str = ""  # empty: CARBONPEAK_SECRET_KEY, else var/web_secret_key (created once)
    secret_key_file: str = "var/web_secret_key"
    # A signed-cookie session lives at most this long, and ends after this much inactivity.
    session_max_age_s: int = 8 * 3600
    session_idle_s: int = 30 * 60
    https_only: bool = False  # set behind TLS: the cookie is then sent over HTTPS only
    # Login attempts allowed per client address in the window (counted in the database, so shared by
    # every worker), before 429 with Retry-After.
    login_rate_limit: int = 10
    login_rate_window_s: int = 60
    # After this many consecutive failed logins of a user name (or of a browser that logged in to it
    # before), each next attempt waits: login_first_delay_s, doubling, at most login_max_delay_s. No
    # account is ever locked by failed logins, so nobody can lock another person out.
    login_free_failures: int = 5
    login_first_delay_s: int = 2
    login_max_delay_s: int = 300
    # A browser that logged in keeps a signed device cookie this long; with it, attempts on its account
    # count apart from strangers' (their failures do not slow it down).
    device_cookie_days: int = 180
    # The client address of a request is the peer's, unless the peer is one of these proxies (comma-
    # separated addresses or networks, e.g. "127.0.0.1, 10.0.0.0/8"): then the nearest address in
    # X-Forwarded-For that is not a trusted proxy. Empty: X-Forwarded-For is never believed.
    trusted_proxies: str = ""
    password_min_length: int = 10
    # zxcvbn's strength score (0-4) a new password must reach; 3: about 10^8 guesses or more.
    password_min_score: int = 3
    max_upload_bytes: int = Limits().max_bytes
    # Imports run in this many processes of their own beside each server process (0: in the request's
    # thread, where a large file slows every other page; carbonpeak.web.imports says why).
    import_processes: int = 1
    default_lang: str = "zh"
    # Benchmark levels: None asks the edition in force; the 2023 non-ferrous levels are not in the
    # reference data yet, so the demo shows the 2021 edition (the board says which).
    benchmark_edition: str | None = "2021"
    # argon2id cost (argon2-cffi defaults: time 3, memory 64 MiB, parallelism 4).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    rejected_dir: str = "var/rejected"
    # The daily warnings check (docs/methods/warnings.md) runs in every server process from this hour of the
    # server's local time on, claimed in the database so that one process runs it once a day; -1 turns it
    # off (where cron runs `carbonpeak warnings refresh` instead). Each process looks every check_s seconds.
    warnings_daily_hour: int = 2
    warnings_daily_check_s: int = 600
    # last month's 碳达峰监测报告 of every region made by the web server's daily thread (services/reports_daily.py).
    # Off by default: rendering the PDFs in the server's process takes its CPU and, on SQLite, the write lock for
    # many seconds while people work; `carbonpeak report schedule` from cron or a timer does the same job apart.
    scheduled_reports: bool = False
    # The day the platform takes as today for due dates (YYYY-MM-DD); empty: the clock, in China (UTC+8).
    # A demonstration or a test fixes it (the demo province describes 2026-01-20).
    today: str = ""
    # The units pages show (a YAML file like carbonpeak/io/display_units.yaml); empty: the shipped table
    # (万吨CO2e, 万吨标准煤, 万kWh/亿kWh, 万吨/年, 万元 in Chinese; international units in English).
    display_units: str = ""
    # The city map's provinces (a YAML file like carbonpeak/web/maps/maps.yaml: GeoJSON and which shape is
    # which city); empty: the shipped file (the demonstration province on Shaanxi's shapes, a 示意图).
    city_maps: str = ""
    # The meter readings (docs/monitoring.md): a DuckDB file or a postgresql:// URL, as the CLI's --readings;
    # empty: readings.duckdb beside a SQLite registry (var/readings.duckdb for the default var/carbonpeak.db).
    readings_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = os.environ.get(f"CARBONPEAK_{f.name.upper()}")
            if raw is None:
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif f.name in ("database_url", "benchmark_edition"):
                values[f.name] = raw or None  # empty: the default URL / the edition in force
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.secret_key:
            settings = replace(settings, secret_key=_secret_key(Path(settings.secret_key_file)))
        if settings.default_lang not in LANGUAGES:
            raise ValueError(f"CARBONPEAK_DEFAULT_LANG must be one of {LANGUAGES}, got {settings.default_lang!r}")
        if not -1 <= settings.warnings_daily_hour <= 23:
            hour = settings.warnings_daily_hour
            raise ValueError(f"CARBONPEAK_WARNINGS_DAILY_HOUR must be -1 (off) or 0-23, got {hour}")
        return settings
