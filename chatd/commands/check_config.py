"""`chatd check-config`: validate chatd.toml (+ environment) and say what it means."""

from __future__ import annotations

from chatd.config import Config
from chatd.config import redact_url as _redact


def run(cfg: Config) -> int:
    from chatd.pepper_file import describe
    from chatd.storage.blobs.choose import media_key, open_blob_store, previous_media_keys
    from chatd.storage.build import refuse_unshared
    from chatd.storage.tls_policy import refuse_unverified

    refuse_unshared(cfg)  # what `serve` would refuse is not "OK"
    refuse_unverified(cfg)
    media = open_blob_store(cfg)  # a malformed s3:// URL is refused here, not at the first upload
    from chatd.storage.scan.choose import open_scanner

    scanner = open_scanner(cfg)  # a scan_command that is not installed, as `serve` would refuse it
    from chatd.services.privacy_notice import load_notice

    notice = load_notice(cfg)  # likewise an unreadable privacy_notice_file
    sealed = media_key(cfg) is not None
    media_previous = len(previous_media_keys(cfg))  # malformed, or without a current key: refused here
    from chatd.services.second_factor.sealing import sealer_of

    factor_keys = len(sealer_of(cfg).keys)  # a malformed key is refused here, not at start-up
    pepper = describe(cfg)  # a malformed auth.pepper is refused here too
    s = cfg.storage
    print("config OK")
    print(f"  listen       {cfg.server.host}:{cfg.server.port} ({cfg.server.public_url})")
    print(f"  data_dir     {cfg.server.data_dir}")
    print(f"  database     {_redact(s.database)}")
    print(f"  messages     {_redact(s.messages)}")
    print(f"  cache        {_redact(s.cache)}")
    print(f"  workers      {cfg.server.workers}")
    print(f"  media        {media.description}{' (new files encrypted at rest)' if sealed else ''}"
          f"{f', {media_previous} previous key(s) still open older files' if media_previous else ''}")
    print(f"  uploads      {'scanned by ' + scanner.description if scanner else 'not scanned for malware'}")
    print(f"  registration {cfg.auth.registration}")
    print(f"  privacy      {cfg.server.privacy_notice_file + ' (' + notice.format + ')' if notice.custom else 'the default notice'}")
    print(f"  two-step     admins: {cfg.auth.admin_second_factor}; TOTP keys "
          f"{'sealed at rest' if factor_keys else 'not sealed at rest (no key set)'}"
          f"{f' ({factor_keys - 1} previous key(s) still open older ones; chatd reseal)' if factor_keys > 1 else ''}")
    print(f"  pepper       {pepper}")
    return 0
