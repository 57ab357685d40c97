"""`chatd check-config`: validate chatd.toml (+ environment) and say what it means."""

from __future__ import annotations

from chatd.config import Config
from chatd.config import redact_url as _redact


def run(cfg: Config) -> int:
    from chatd.storage.blobs.choose import media_key, open_blob_store
    from chatd.storage.build import refuse_unshared
    from chatd.storage.tls_policy import refuse_unverified

    refuse_unshared(cfg)  # what `serve` would refuse is not "OK"
    refuse_unverified(cfg)
    media = open_blob_store(cfg)  # a malformed s3:// URL is refused here, not at the first upload
    sealed = media_key(cfg) is not None
    s = cfg.storage
    print("config OK")
    print(f"  listen       {cfg.server.host}:{cfg.server.port} ({cfg.server.public_url})")
    print(f"  data_dir     {cfg.server.data_dir}")
    print(f"  database     {_redact(s.database)}")
    print(f"  messages     {_redact(s.messages)}")
    print(f"  cache        {_redact(s.cache)}")
    print(f"  workers      {cfg.server.workers}")
    print(f"  media        {media.description}{' (new files encrypted at rest)' if sealed else ''}")
    print(f"  registration {cfg.auth.registration}")
    return 0
