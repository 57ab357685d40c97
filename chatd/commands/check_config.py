"""`chatd check-config`: validate chatd.toml (+ environment) and say what it means."""

from __future__ import annotations

from chatd.config import Config


def _redact(url: str) -> str:
    # Never print a password from a URL.
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def run(cfg: Config) -> int:
    from chatd.storage.build import refuse_unavailable

    refuse_unavailable(cfg)  # what `serve` would refuse is not "OK"
    s = cfg.storage
    print("config OK")
    print(f"  listen       {cfg.server.host}:{cfg.server.port} ({cfg.server.public_url})")
    print(f"  data_dir     {cfg.server.data_dir}")
    print(f"  database     {_redact(s.database)}")
    print(f"  messages     {_redact(s.messages)}")
    print(f"  cache        {_redact(s.cache)}")
    print(f"  media        {_redact(s.media)}")
    print(f"  registration {cfg.auth.registration}")
    return 0
