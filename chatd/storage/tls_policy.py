"""TLS to the stores, read from their URLs (ASVS 1.9.1, 9.2.2, 9.2.3).

The URL is the one place the TLS settings live: asyncpg (chatd's pool, the
migration child, piccolo's engine, `chatd migrate-data`), redis-py (every
Redis client and Litestar's RedisStore on it) and pymongo each read their
own options from it, so every connection to a store gets the same ones.
This module only reads them: it refuses, before anything connects, a CA
file that is not there and (with storage.require_tls) a URL to another host
that would connect without TLS that checks the certificate and the name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from chatd.config import Config, ConfigError, redact_url

TRUE = ("true", "1", "yes", "y", "on")
POSTGRES_FIX = "add ?sslmode=verify-full&sslrootcert=/path/to/ca.pem"
REDIS_FIX = "use rediss://host:6379/0?ssl_ca_certs=/path/to/ca.pem (no ssl_cert_reqs=none, no ssl_check_hostname=false)"
MONGO_FIX = "add ?tls=true&tlsCAFile=/path/to/ca.pem (no tlsInsecure, tlsAllowInvalidCertificates or " \
            "tlsAllowInvalidHostnames)"


def _query(url: str, *, fold: bool = False) -> dict[str, str]:
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return {(k.lower() if fold else k): v for k, v in pairs}


def _hosts(url: str, extra: str = "") -> list[str]:
    """Every host a URL names (several for PostgreSQL and MongoDB), without ports."""
    netloc = url.partition("://")[2].partition("/")[0].partition("?")[0].rpartition("@")[2]
    hosts = []
    for part in [*netloc.split(","), *(extra.split(",") if extra else [])]:
        part = part.strip()
        if part.startswith("["):
            hosts.append(part[1:].partition("]")[0])
        elif part.count(":") > 1 or part.startswith("/"):
            hosts.append(part)  # a bare IPv6 address, or a socket directory
        else:
            hosts.append(part.partition(":")[0])
    return hosts


def loopback(host: str) -> bool:
    """This machine: loopback, "localhost", an empty host or a socket path
    (the libraries' default is local too)."""
    host = host.lower()
    if not host or host.startswith(("/", "%2f")) or host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def postgres_plain(url: str) -> str | None:
    """Why asyncpg would connect without verified TLS (None: it would not).
    Its default sslmode is prefer (TLS if offered, nothing checked);
    PGSSLMODE counts, as asyncpg reads it when the URL has none."""
    mode = _query(url).get("sslmode") or os.environ.get("PGSSLMODE") or "prefer"
    return None if mode == "verify-full" else f"sslmode={mode}"


def redis_plain(url: str) -> str | None:
    if not url.startswith("rediss://"):
        return "redis:// is plain text"
    q = _query(url)
    if q.get("ssl_cert_reqs", "required") != "required":
        return f"ssl_cert_reqs={q['ssl_cert_reqs']}"
    if q.get("ssl_check_hostname", "true").lower() not in TRUE:
        return f"ssl_check_hostname={q['ssl_check_hostname']}"
    return None


def mongo_plain(url: str) -> str | None:
    """pymongo's option names ignore case; mongodb+srv:// means tls=true."""
    q = _query(url, fold=True)
    tls = q.get("tls", q.get("ssl", "true" if url.startswith("mongodb+srv://") else "false"))
    if tls.lower() not in TRUE:
        return "no tls=true"
    for unsafe in ("tlsinsecure", "tlsallowinvalidcertificates", "tlsallowinvalidhostnames"):
        if q.get(unsafe, "false").lower() in TRUE:
            return f"{unsafe}=true"
    return None


def _ca_files(url: str) -> list[tuple[str, str]]:
    """(option, path) for every CA or client certificate file a URL names."""
    if url.startswith("postgres"):
        q, names = _query(url), ("sslrootcert", "sslcert", "sslkey", "sslcrl")
    elif url.startswith("redis"):
        q, names = _query(url), ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile")
    else:
        q, names = _query(url, fold=True), ("tlscafile", "tlscertificatekeyfile", "tlscrlfile")
    return [(name, q[name]) for name in names if q.get(name)]


def store_urls(config: Config) -> dict[str, str]:
    """The network stores' URLs by config key."""
    s = config.storage
    urls = {"storage.database": s.database} if not s.database.startswith("sqlite:") else {}
    if s.messages != "database":
        urls["storage.messages"] = s.messages
    if s.cache != "memory":
        urls["storage.cache"] = s.cache
    return urls


def plain_reason(url: str) -> tuple[str | None, str]:
    """(why it is not verified TLS or None, how to fix it) for one store URL."""
    if url.startswith("postgres"):
        hosts, check, fix = _hosts(url, _query(url).get("host", "")), postgres_plain, POSTGRES_FIX
    elif url.startswith("redis"):
        hosts, check, fix = _hosts(url), redis_plain, REDIS_FIX
    else:
        hosts, check, fix = _hosts(url), mongo_plain, MONGO_FIX
    if all(loopback(h) for h in hosts):
        return None, fix
    return check(url), fix


def refuse_unverified(config: Config, extra: Iterable[tuple[str, str]] = ()) -> None:
    """Before any store is opened: a CA file a URL names must be there, and
    with storage.require_tls every store on another host must be reached
    over verified TLS. `extra`: more (what, URL) pairs (migrate-data's targets)."""
    urls = [(key, url) for key, url in [*store_urls(config).items(), *extra] if not url.startswith("sqlite:")]
    for key, url in urls:
        for option, path in _ca_files(url):
            if not os.access(Path(path).expanduser(), os.R_OK) or not Path(path).expanduser().is_file():
                raise ConfigError(f"{key}: {option}={path} is not a readable file")
    if not config.storage.require_tls:
        return
    for key, url in urls:
        why, fix = plain_reason(url)
        if why is not None:
            shown = redact_url(url).partition("?")[0]  # the query may hold a key's password (sslpassword)
            raise ConfigError(f"storage.require_tls: {key} = {shown} would connect without verified TLS ({why}); "
                              f"{fix}, or set storage.require_tls = false")
    media = config.storage.media
    if media.startswith("s3://") and not config.media.s3_tls and not loopback(_hosts(media)[0]):
        raise ConfigError(f"storage.require_tls: storage.media = {redact_url(media)} with media.s3_tls = false "
                          "is plain http; set media.s3_tls = true, or set storage.require_tls = false")
