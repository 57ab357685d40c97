"""Build the stores a config asks for; the one place that picks adapters."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from litestar.stores.base import Store

from chatd.config import Config, ConfigError
from chatd.errors import StoreUnavailable
from chatd.live_secret import live_url
from chatd.storage.cache import open_cache
from chatd.storage.committed import CommitFeed
from chatd.keys.ring import KeyRing
from chatd.storage.blobs.choose import open_blob_store
from chatd.storage.ports.attachments import AttachmentStore
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.blobs import BlobStore
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.counters import CounterStore
from chatd.storage.ports.conversations import ConversationStore
from chatd.storage.ports.events import CommittedEvents, EventStore
from chatd.storage.ports.fanout import Fanout
from chatd.storage.ports.flags import FlagStore
from chatd.storage.ports.member_cache import MembershipCache
from chatd.storage.ports.messages import MessageStore
from chatd.storage.ports.presence import PresenceStore
from chatd.storage.ports.scanner import Scanner
from chatd.storage.ports.key_backups import KeyBackupStore
from chatd.storage.ports.second_factors import SecondFactorStore
from chatd.storage.ports.security_activity import SecurityActivityStore
from chatd.storage.ports.settings import SettingsStore
from chatd.storage.ports.users import UserStore
from chatd.storage.scan.choose import open_scanner
from chatd.storage.session_cache import cache_sessions
from chatd.storage.sql.attachments import SqlAttachmentStore
from chatd.storage.sql.auth import SqlAuthStore
from chatd.storage.sql.contacts import SqlContactStore
from chatd.storage.sql.conversations import SqlConversationStore
from chatd.storage.sql.db import Database, open_database
from chatd.storage.sql.events import SqlEventStore
from chatd.storage.sql.flags import SqlFlagStore
from chatd.storage.sql.messages import SqlMessageStore
from chatd.storage.sql.schema_version import pending
from chatd.storage.sql.key_backups import SqlKeyBackupStore
from chatd.storage.sql.second_factors import SqlSecondFactorStore
from chatd.storage.sql.security_activity import SqlSecurityActivityStore
from chatd.storage.sql.settings import SqlSettingsStore
from chatd.storage.sql.users import SqlUserStore


PING_SECONDS = 3.0
log = logging.getLogger("chatd.storage")


class Backend(Protocol):
    """A connection the stores hold: asked by /readyz, closed at the end.
    Nothing more of it is visible here, so no caller sees its technology."""

    async def ping(self) -> None: ...

    def unreachable(self, err: BaseException) -> str | None:
        """Its technology's name ("postgresql") when `err` means it does not answer."""
        ...

    async def close(self) -> None: ...


@dataclass
class Stores:
    users: UserStore
    auth: AuthStore
    contacts: ContactStore
    conversations: ConversationStore
    messages: MessageStore
    events: EventStore
    attachments: AttachmentStore
    flags: FlagStore
    # Values an admin changed at run time, winning over chatd.toml.
    settings: SettingsStore
    # Passphrase-encrypted E2EE key backups, one per account (opaque to the server).
    key_backups: KeyBackupStore
    # Each account's TOTP factor (sealed secret) and hashed recovery codes.
    second_factors: SecondFactorStore
    # Each account's recent security events and known sign-in places.
    security_activity: SecurityActivityStore
    # The keys (chatd/keys/): in this process, or the key process's (keys.socket).
    keys: KeyRing
    # Attachment bytes (storage.media); `sealed_blobs` is the same store
    # encrypting at rest, present when the keys have a media key.
    blobs: BlobStore
    sealed_blobs: BlobStore | None
    # The malware scanner of uploads (media.scan_*), None when off.
    scanner: Scanner | None
    # Short-lived keys (login limits) and counters (send limits, typing);
    # in this process or in Redis (storage.cache), see storage/cache.py.
    cache: Store
    counters: CounterStore
    # Who is connected now, shared by every process (storage/ports/presence.py).
    presence: PresenceStore
    # Carries events, typing and presence to every process's hub.
    fanout: Fanout
    # Which conversations a user is in, cached across processes (Redis only).
    member_cache: MembershipCache
    # Events of every committed write, for real-time delivery.
    committed: CommittedEvents
    # What the adapters are connected to, by config name ("database", ...).
    backends: dict[str, Backend]

    def unreachable(self, err: BaseException) -> str | None:
        """Which store `err` (or what caused it) says does not answer, if any."""
        seen: BaseException | None = err
        for _ in range(8):
            if seen is None:
                return None
            if isinstance(seen, StoreUnavailable):
                return seen.store
            for backend in self.backends.values():
                if store := backend.unreachable(seen):
                    return store
            seen = seen.__cause__ or seen.__context__
        return None

    async def check(self) -> dict[str, str]:
        """Which configured stores do not answer (empty when all do), each
        asked for at most PING_SECONDS: /readyz never hangs on one."""
        failed: dict[str, str] = {}
        for name, backend in self.backends.items():
            try:
                await asyncio.wait_for(backend.ping(), PING_SECONDS)
            except Exception as err:  # noqa: BLE001 - reported, not raised
                failed[name] = type(err).__name__
        try:
            await asyncio.wait_for(self.blobs.check(), PING_SECONDS)
        except Exception as err:  # noqa: BLE001 - reported, not raised
            failed["media"] = type(err).__name__
        try:
            await asyncio.wait_for(self.keys.ping(), PING_SECONDS)  # the key process, when keys.socket is set
        except Exception as err:  # noqa: BLE001 - reported, not raised
            failed["keys"] = type(err).__name__
        return failed

    async def refresh(self) -> None:
        """Replace the store connections (SIGHUP): idle ones now, busy ones
        when their work is done; new ones log in with the secret files as
        they are now. Nothing in flight is cut off."""
        for name, backend in self.backends.items():
            refresh = getattr(backend, "refresh", None)  # PostgreSQL and Redis pool connections; the others need not
            if refresh is not None:
                await refresh()
        log.info("SIGHUP: store connections are being replaced; new ones read the secret files again")

    async def close(self) -> None:
        try:
            await self.blobs.close()
        finally:
            for backend in reversed(list(self.backends.values())):
                await backend.close()
            await self.keys.close()


def refuse_unshared(config: Config, workers: int | None = None) -> None:
    """Several processes need one shared cache: refuse at start otherwise."""
    workers = config.server.workers if workers is None else workers
    if workers > 1 and config.storage.cache == "memory":
        raise ConfigError(
            f"{workers} workers need a shared cache: with storage.cache = \"memory\" each worker keeps its own "
            "presence, rate limits and fan-out, so users on different workers would not see each other live. "
            "Set storage.cache = \"redis://HOST:6379/0\" (CHATD_STORAGE__CACHE), or run one worker."
        )


def open_media(config: Config, keys: KeyRing) -> tuple[BlobStore, BlobStore | None]:
    blobs = open_blob_store(config)
    if not keys.info.media_ids:
        return blobs, None
    from chatd.storage.blobs.sealed import SealedBlobStore

    return blobs, SealedBlobStore(blobs, keys)


async def open_stores(config: Config, *, run_migrations: bool = True) -> Stores:
    from chatd.keys.choose import open_keys

    keys = await open_keys(config)  # refused here: raw keys beside keys.socket, a key process that does not answer
    blobs, sealed_blobs = open_media(config, keys)
    scanner = open_scanner(config)  # a scan_command that is not there stops the start here
    url = config.storage.database
    db = open_database(url, live_url(config, "storage.database"))
    await db.start()
    try:
        if await pending(db) and run_migrations:
            from chatd.storage.sql.migrate_apart import migrate_apart

            await migrate_apart(url)  # piccolo in a child process: this one never loads it
    except BaseException:
        await db.close()
        raise
    try:
        ephemeral = await open_cache(config)
    except BaseException:
        await db.close()
        raise
    committed = CommitFeed()
    db.on_commit = committed.publish
    committed.listen(ephemeral.member_cache.changed)  # before anyone reads: no change slips by
    backends: dict[str, Backend] = {"database": db}
    if ephemeral.backend is not None:
        backends["cache"] = ephemeral.backend
    users: UserStore = SqlUserStore(db)
    auth: AuthStore = SqlAuthStore(db)
    if config.storage.cache == "memory":  # one process: every change passes here (session_cache.py)
        users, auth = cache_sessions(users, auth)
    stores = Stores(
        users=users,
        auth=auth,
        contacts=SqlContactStore(db),
        conversations=SqlConversationStore(db),
        messages=SqlMessageStore(db),
        events=SqlEventStore(db),
        attachments=SqlAttachmentStore(db),
        flags=SqlFlagStore(db),
        settings=SqlSettingsStore(db),
        key_backups=SqlKeyBackupStore(db),
        second_factors=SqlSecondFactorStore(db),
        security_activity=SqlSecurityActivityStore(db),
        keys=keys,
        blobs=blobs,
        sealed_blobs=sealed_blobs,
        scanner=scanner,
        cache=ephemeral.store,
        counters=ephemeral.counters,
        presence=ephemeral.presence,
        fanout=ephemeral.fanout,
        member_cache=ephemeral.member_cache,
        committed=committed,
        backends=backends,
    )
    if config.storage.messages.startswith("mongodb"):
        try:
            await use_mongo(stores, db, config.storage.messages, committed)
        except BaseException:
            await stores.close()
            raise
    return stores


async def use_mongo(stores: Stores, sql_db: Database, url: str, committed: CommitFeed) -> None:
    """The conversation side on MongoDB; accounts and contacts stay in SQL."""
    from chatd.storage.mongo.attachments import MongoAttachmentStore
    from chatd.storage.mongo.backend import MongoBackend
    from chatd.storage.mongo.conversations import MongoConversationStore
    from chatd.storage.mongo.events import MongoEventStore
    from chatd.storage.mongo.messages import MongoMessageStore
    from chatd.storage.mongo.migrations import migrate as migrate_documents
    from chatd.storage.mongo.relay import SqlEventRelay

    backend = MongoBackend(url, committed)
    stores.backends["messages"] = backend  # closed with the stores from here on
    await backend.start()
    backend.text_search = await migrate_documents(backend.db)
    sql_attachments, sql_events = stores.attachments, stores.events
    stores.conversations = MongoConversationStore(backend)
    stores.messages = MongoMessageStore(backend, stores.contacts)
    stores.events = MongoEventStore(backend)
    stores.attachments = MongoAttachmentStore(backend, sql_attachments.avatars_in_use)
    # Accounts' and contacts' events, still written with them in SQL, move
    # into the MongoDB log (one log, one cursor); see storage/mongo/relay.py.
    assert isinstance(sql_events, SqlEventStore) and isinstance(sql_db, Database)
    relay = SqlEventRelay(backend, sql_events)
    sql_db.on_commit = relay.kick
    await relay.move()
    relay.start()
    stores.backends["event relay"] = relay
