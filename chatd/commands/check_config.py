"""`chatd check-config`: validate chatd.toml (+ environment) and say what it means."""

from __future__ import annotations

from chatd.config import Config
from chatd.config import redact_url as _redact


def _key_process(socket: str) -> str:
    """What the key process at `socket` holds, asked once (its being away is no config error)."""
    import asyncio

    from chatd.keys.client import SocketKeyRing
    from chatd.keys.ring import KeysUnavailable

    async def ask() -> str:
        ring = SocketKeyRing(socket)
        try:
            await ring.start(wait_seconds=0)
        except KeysUnavailable:
            return "not answering now (start `chatd keys serve`)"
        finally:
            await ring.close()
        i = ring.info
        return (f"pepper {i.pepper_id}, {i.factor_keys} TOTP key(s), "
                f"{len(i.media_ids)} media key(s){'' if i.media_ids else ': media not sealed'}")
    return f"in the key process at {socket}: {asyncio.run(ask())}"


def run(cfg: Config) -> int:
    from chatd.pepper_file import describe
    from chatd.storage.blobs.choose import open_blob_store
    from chatd.storage.build import refuse_unshared
    from chatd.storage.tls_policy import refuse_unverified

    refuse_unshared(cfg)  # what `serve` would refuse is not "OK"
    refuse_unverified(cfg)
    media = open_blob_store(cfg)  # a malformed s3:// URL is refused here, not at the first upload
    from chatd.storage.scan.choose import open_scanner

    scanner = open_scanner(cfg)  # a scan_command that is not installed, as `serve` would refuse it
    from chatd.services.privacy_notice import load_notice

    notice = load_notice(cfg)  # likewise an unreadable privacy_notice_file
    from chatd.keys.choose import refuse_raw_keys
    from chatd.keys.load import local_ring

    if cfg.keys.socket:  # the key process holds them: none may be here (it is asked nothing now)
        refuse_raw_keys(cfg)
    ring = local_ring(cfg)  # a malformed key, or previous keys without a current one: refused here
    sealed = bool(ring.info.media_ids)
    media_previous = max(0, len(ring.info.media_ids) - 1)
    factor_keys = ring.info.factor_keys
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
    print(f"  keys         {_key_process(cfg.keys.socket) if cfg.keys.socket else 'in this process (set keys.socket for a separate key process)'}")
    return 0
