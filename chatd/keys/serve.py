"""`chatd keys serve`: the key process (ASVS 6.4.2). It alone reads the
pepper, the TOTP sealing keys and the media master keys (its own config:
auth.pepper / pepper_file or its data_dir/pepper, auth.second_factor_key,
media.encryption_key and their previous keys), and answers the chatd server
over a Unix socket (keys.socket; mode 0600, or 0660 with keys.socket_group).
A bad frame gets an error reply (or, too large, a closed connection); the
process keeps serving."""

from __future__ import annotations

import asyncio
import grp
import logging
import os
import signal
import stat
from pathlib import Path

import msgspec

from chatd.config import Config, ConfigError
from chatd.keys import wire
from chatd.keys.load import local_ring
from chatd.keys.local import LocalKeyRing

log = logging.getLogger("chatd.keys")


async def answer(ring: LocalKeyRing, request: wire.Request) -> object:
    match request:
        case wire.Info():
            return ring.info
        case wire.Pepper(data=data):
            return await ring.pepper(data)
        case wire.SealSecret(user_id=user_id, secret=secret):
            return await ring.seal_secret(user_id, secret)
        case wire.OpenSecret(user_id=user_id, stored=stored):
            return await ring.open_secret(user_id, stored)
        case wire.NewDataKey():
            return await ring.new_data_key()
        case wire.Unwrap(wrapped=wrapped):
            return await ring.unwrap(wrapped)
        case wire.Rewrap(wrapped=wrapped):
            return await ring.rewrap(wrapped)
        case wire.OpenLegacy(version=version, prefix=prefix, nonce=nonce, sealed=sealed):
            return await ring.open_legacy(version, prefix, nonce, sealed)
    raise ValueError("unknown request")


async def _connection(ring: LocalKeyRing, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      open_writers: set[asyncio.StreamWriter]) -> None:
    open_writers.add(writer)
    try:
        while True:
            try:
                body = await wire.read_frame(reader)
            except wire.FrameTooLarge as err:  # its bytes cannot be skipped safely: say so and hang up
                writer.write(wire.frame(wire.encode(wire.Reply(error=str(err)))))
                break
            try:
                reply = wire.Reply(value=await answer(ring, wire.decode_request(body)))
            except (msgspec.DecodeError, msgspec.ValidationError) as err:
                reply = wire.Reply(error=f"bad request: {err}")
            except ValueError as err:  # e.g. asked to seal with a key this process does not have
                reply = wire.Reply(error=str(err))
            writer.write(wire.frame(wire.encode(reply)))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client went away
    except Exception:  # never the whole process for one connection
        log.exception("key socket: a connection failed")
    finally:
        open_writers.discard(writer)
        writer.close()


def _listen_path(config: Config) -> Path:
    if not config.keys.socket:
        raise ConfigError("keys.socket: the key process needs a socket path to listen on (e.g. /run/chatd-keys/keys.sock)")
    path = Path(config.keys.socket)
    if not path.parent.is_dir():
        raise ConfigError(f"keys.socket: {path.parent} is no folder (systemd's RuntimeDirectory= makes it)")
    if path.exists() or path.is_symlink():
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise ConfigError(f"keys.socket: {path} exists and is not a socket; refusing to replace it")
        path.unlink()  # left by a process that stopped
    return path


async def serve(config: Config, ring: LocalKeyRing, path: Path) -> None:
    mode = 0o660 if config.keys.socket_group else 0o600
    open_writers: set[asyncio.StreamWriter] = set()
    old = os.umask(0o177)  # the socket is never, even for a moment, open to others
    try:
        server = await asyncio.start_unix_server(lambda r, w: _connection(ring, r, w, open_writers), path,
                                                 limit=wire.MAX_FRAME + 64)
    finally:
        os.umask(old)
    if config.keys.socket_group:
        os.chown(path, -1, grp.getgrnam(config.keys.socket_group).gr_gid)
    os.chmod(path, mode)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    info = ring.info
    log.warning("chatd keys: serving on %s (pepper %s, %d TOTP key(s), %d media key(s))", path,
                info.pepper_id, info.factor_keys, len(info.media_ids))
    async with server:
        await stop.wait()
        server.close()
        for writer in list(open_writers):  # each handler then ends as for a client gone (no cancelled tasks)
            writer.close()
        await asyncio.sleep(0.05)
    path.unlink(missing_ok=True)


def run(config: Config) -> int:
    from chatd.pepper_file import local_pepper

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not config.server.memory_dumps:  # before any key is read: the vault least of all may be dumped
        from chatd.commands.serve_nodump import forbid_memory_dumps

        forbid_memory_dumps()
    path = _listen_path(config)  # a bad socket path refused before any key is read or made
    pepper, _ = local_pepper(config, None)  # made in its own data_dir on the first start, as chatd's was
    asyncio.run(serve(config, local_ring(config, pepper), path))
    return 0
