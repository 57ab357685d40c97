"""chatd.toml as typed msgspec Structs, with CHATD_<SECTION>__<KEY> overrides.

Admins edit the file by hand, so every mistake must come back as one line
naming the key, the value and what is allowed, and the server must not start.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from chatd.secret_files import KEY_PROCESS_KEYS, SECRET_KEYS, SecretFileError, credentials, resolve_files

Port = Annotated[int, Meta(ge=1, le=65535)]
Positive = Annotated[int, Meta(ge=1)]


class Section(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ServerConfig(Section):
    host: str = "127.0.0.1"
    port: Port = 8080
    public_url: str = "http://localhost:8080"
    data_dir: str = "./data"
    # Reverse proxies (their addresses as chatd sees them) whose
    # X-Forwarded-For names the real client: login limits and /metrics use it.
    trusted_proxies: list[str] = []
    # Worker processes of `chatd serve` (granian). More than one needs
    # storage.cache = "redis://...": sockets, presence and fan-out are shared there.
    workers: Annotated[int, Meta(ge=1, le=64)] = 1
    # Your own privacy notice (GET /api/v1/privacy, linked from sign-up and
    # Settings): a .md file (Markdown) or plain text; "" = chatd's default text.
    privacy_notice_file: str = ""
    # Core files and same-user debuggers (py-spy, gdb) may read the server's
    # memory, where Python leaves passwords and keys it cannot wipe; false
    # forbids both (serve_nodump.py). true only while debugging.
    memory_dumps: bool = False


class StorageConfig(Section):
    database: Annotated[str, Meta(pattern=r"^(sqlite:///|postgresql://|postgres://)")] = (
        "sqlite:///./data/chatd.db"
    )
    messages: Annotated[str, Meta(pattern=r"^(database$|mongodb(\+srv)?://)")] = "database"
    cache: Annotated[str, Meta(pattern=r"^(memory$|rediss?://)")] = "memory"
    media: Annotated[str, Meta(pattern=r"^(file:///.|s3://[^/]+/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/?$)")] = (
        "file:///./data/media"
    )
    # Refuse to start when a store on another host would be reached without
    # TLS that checks its certificate and name (chatd/storage/tls_policy.py).
    require_tls: bool = False


RegistrationMode = Literal["open", "invite", "closed"]


class AuthConfig(Section):
    registration: RegistrationMode = "open"
    session_days: Annotated[int, Meta(ge=1, le=3650)] = 30
    # A login session ends this long after sign-in however much it is used
    # (session_days slides with use; this does not).
    session_max_days: Annotated[int, Meta(ge=1, le=3650)] = 90
    # Weakest password accepted at sign-up and password change: zxcvbn's
    # score 0-4 (2 refuses the common and breached passwords it knows); 0 = off.
    min_password_score: Annotated[int, Meta(ge=0, le=4)] = 2
    # Failed sign-ins per account and address; per address over all accounts;
    # per account from unknown devices (see services/login_limit.py).
    login_attempts_per_minute: Annotated[int, Meta(ge=1, le=1000)] = 10
    login_attempts_per_address_per_minute: Annotated[int, Meta(ge=1, le=100_000)] = 30
    login_attempts_per_account_per_minute: Annotated[int, Meta(ge=1, le=100_000)] = 50
    secure_cookies: bool = False
    # "required": the admin API answers an admin only once they have two-step
    # sign-in (`chatd init` writes this). A missing key means "optional", so a
    # server upgraded in place keeps its admins working (docs/asvs.md 4.3.1).
    admin_second_factor: Literal["required", "optional"] = "optional"
    # Seals TOTP secrets at rest (base64 of 32 random bytes; `chatd init` writes
    # a fresh one); "" = kept as they are, like media without encryption_key.
    second_factor_key: str = ""
    # Keys second_factor_key had before (rotation): secrets sealed with one
    # still open; `chatd reseal` seals them all with the current key, then
    # these can go. A list in chatd.toml; from the environment or a file,
    # the keys separated by spaces, commas or line breaks.
    second_factor_previous_keys: list[str] | str = []
    # Password pepper (base64 of 32+ random bytes; better: pepper_file). "" =
    # data_dir/pepper, made on first start (chatd/pepper_file.py).
    pepper: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.second_factor_previous_keys, str):  # "k1,k2" from the environment or a file
            self.second_factor_previous_keys = self.second_factor_previous_keys.replace(",", " ").split()


class LimitsConfig(Section):
    max_message_chars: Annotated[int, Meta(ge=1, le=100_000)] = 8000
    max_upload_mb: Annotated[int, Meta(ge=1, le=10_000)] = 50
    messages_per_minute: Annotated[int, Meta(ge=1, le=100_000)] = 120
    # GET /me/export started per user and fixed clock hour (one at a time besides).
    exports_per_hour: Annotated[int, Meta(ge=1, le=1000)] = 4
    event_retention_days: Annotated[int, Meta(ge=1, le=3650)] = 90
    # Largest request body (JSON) in KiB; more is refused with 413 before it is read.
    max_body_kb: Annotated[int, Meta(ge=16, le=1_048_576)] = 1024


class MediaConfig(Section):
    # Per-user total of stored attachments in MB; 0 = no quota.
    quota_mb_per_user: Annotated[int, Meta(ge=0, le=10_000_000)] = 0
    # Remove EXIF/XMP (GPS position, camera serials) from images before storing.
    strip_metadata: bool = True
    # Images with more pixels are refused (decompression bombs).
    max_image_pixels: Annotated[int, Meta(ge=1_000_000, le=1_000_000_000)] = 50_000_000
    # Uploads never sent with a message are deleted after this many hours.
    unbound_hours: Annotated[float, Meta(ge=0.01, le=8760)] = 24.0
    # A deleted message's attachment bytes go this many minutes after the delete.
    deleted_grace_minutes: Annotated[float, Meta(ge=0, le=525_600)] = 60.0
    # Attachments older than this many days are deleted; 0 = keep forever.
    retention_days: Annotated[int, Meta(ge=0, le=36500)] = 0
    # Encrypt new blobs at rest (base64 of 32 random bytes: `chatd media keygen`); "" = off.
    encryption_key: str = ""
    # Keys encryption_key had before (rotation): blobs sealed with one still
    # open; `chatd media reseal` seals them all with the current key, then
    # these can go. A list in chatd.toml; from the environment or a file,
    # the keys separated by spaces, commas or line breaks.
    previous_encryption_keys: list[str] | str = []
    # s3:// only: https unless false (plain http only on a trusted network).
    s3_tls: bool = True
    s3_region: str = "us-east-1"
    # s3:// only: > 0 answers downloads with a redirect to a presigned URL valid
    # this many seconds (the bytes bypass chatd); 0 = chatd streams them.
    s3_presign_seconds: Annotated[int, Meta(ge=0, le=3600)] = 0
    # Scan every upload (attachments, avatars) before it is kept (ASVS 12.4.2):
    # a command that reads the file on stdin and exits 0 clean, 1 infected,
    # anything else failed (clamdscan's convention), e.g.
    # "clamdscan --no-summary --fdpass -"; "" = no scanning.
    scan_command: str = ""
    # Or clamd's socket itself (INSTREAM): "unix:///run/clamav/clamd.ctl" or "tcp://127.0.0.1:3310".
    scan_clamd: str = ""
    # A scanner that stalls this long (reading, or with its verdict after the
    # last byte) fails the upload with 503 scanner_unavailable.
    scan_timeout_seconds: Annotated[float, Meta(ge=1, le=3600)] = 60.0
    # Scans at once per process; a complete upload waits for a free one up to
    # the timeout (the slot is taken after the body has arrived, not while it does).
    scan_concurrency: Annotated[int, Meta(ge=1, le=64)] = 2

    def __post_init__(self) -> None:
        if isinstance(self.previous_encryption_keys, str):  # "k1,k2" from the environment or a file
            self.previous_encryption_keys = self.previous_encryption_keys.replace(",", " ").split()


# A flag's initial state (chatd/flags.py): true/false, "on"/"off" or "10%"
# (a stable share of users). `chatd flags set` and the admin API override it
# at run time (kept in the database).
FlagValue = bool | Annotated[str, Meta(pattern=r"^(on|off|true|false|\d{1,3}(\.\d+)?%)$")]


class FeaturesConfig(Section):
    e2ee: FlagValue = True
    e2ee_default: FlagValue = False
    search: FlagValue = True
    graphql: FlagValue = False

    def __post_init__(self) -> None:
        # "false" from the environment is a string here: make on/off booleans.
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str) and value in ("on", "off", "true", "false"):
                setattr(self, name, value in ("on", "true"))


class GraphQLConfig(Section):
    # Let clients (GraphiQL, code generators) read the schema.
    introspection: bool = True
    # Per document: deepest nesting, most tokens, most aliases (bounds the work one request asks for).
    max_depth: Annotated[int, Meta(ge=2, le=50)] = 10
    max_tokens: Annotated[int, Meta(ge=100, le=100_000)] = 2000
    max_aliases: Annotated[int, Meta(ge=1, le=1000)] = 30


class RealtimeConfig(Section):
    # Offline is announced only this long after a user's last socket closed:
    # a reconnect inside it (page reload, network switch) does not flap.
    presence_grace_seconds: Annotated[float, Meta(ge=0, le=300)] = 5.0
    # A socket that sends no frame at all (clients ping) for this long is closed.
    idle_timeout_seconds: Annotated[float, Meta(ge=1, le=3600)] = 60.0
    # Frames waiting for one slow socket; beyond this it is told to resync.
    socket_queue_size: Annotated[int, Meta(ge=16, le=1_000_000)] = 2000
    # How long a typing indicator lasts on the other side; sent at most every ttl/2.
    typing_ttl_seconds: Annotated[float, Meta(ge=0.5, le=60)] = 6.0
    # A socket without handshake credentials must send its auth frame this fast.
    auth_timeout_seconds: Annotated[float, Meta(ge=0.5, le=60)] = 5.0
    # No activity frame (send/typing/read) for this long shows the user away; 0 = never.
    away_after_seconds: Annotated[float, Meta(ge=0, le=86400)] = 600.0
    # Sockets one user may hold; a new one past it closes their oldest (4409).
    max_sockets_per_user: Annotated[int, Meta(ge=1, le=100_000)] = 20
    # Sockets from one client address; a new one past it is refused (4429).
    max_sockets_per_address: Annotated[int, Meta(ge=1, le=1_000_000)] = 256
    # Frames a client may send per second on one socket (bursts of twice that); more: 4429.
    max_frames_per_second: Annotated[float, Meta(ge=1, le=100_000)] = 30.0
    # Presence goes to accepted contacts and to members of conversations with
    # at most this many members (a 1,000-member group is told no one's presence).
    presence_max_members: Annotated[int, Meta(ge=2, le=10_000)] = 50
    # With storage.cache = "redis://...": a process that stops renewing its
    # presence (killed, cut off) has its users' sockets forgotten after this long.
    process_ttl_seconds: Annotated[float, Meta(ge=2, le=600)] = 15.0


class KeysConfig(Section):
    # The key process's Unix socket (`chatd keys serve`, ASVS 6.4.2): set, this
    # server asks it for every operation with the pepper, the TOTP sealing key
    # and the media key, and refuses to start if it finds those keys itself.
    # "" = the keys are read and held in this process (the zero-setup default).
    socket: str = ""
    # The key process only: the group (the chatd server's) that may use the
    # socket (mode 0660); "" = its own user only (0600).
    socket_group: str = ""


# dict=True: parse() notes beside the fields which secret came from which
# file (`secret_files`), so a store can read it again when it reconnects.
class Config(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, dict=True):
    server: ServerConfig = msgspec.field(default_factory=ServerConfig)
    storage: StorageConfig = msgspec.field(default_factory=StorageConfig)
    auth: AuthConfig = msgspec.field(default_factory=AuthConfig)
    limits: LimitsConfig = msgspec.field(default_factory=LimitsConfig)
    features: FeaturesConfig = msgspec.field(default_factory=FeaturesConfig)
    media: MediaConfig = msgspec.field(default_factory=MediaConfig)
    realtime: RealtimeConfig = msgspec.field(default_factory=RealtimeConfig)
    graphql: GraphQLConfig = msgspec.field(default_factory=GraphQLConfig)
    keys: KeysConfig = msgspec.field(default_factory=KeysConfig)

    @property
    def https(self) -> bool:
        """Served to users over HTTPS (public_url): cookies are Secure and
        browsers are told to keep to HTTPS (HSTS)."""
        return self.server.public_url.lower().startswith("https://")

    def secret_file(self, key: str) -> Path | None:
        """The file `key` ("storage.database") was read from, if it was (and
        no later source, e.g. the environment's plain value, replaced it)."""
        return getattr(self, "secret_files", {}).get(key)

    @property
    def data_dir(self) -> Path:
        return Path(self.server.data_dir)

    @property
    def sqlite_path(self) -> Path | None:
        url = self.storage.database
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


# What the admin may write, for keys whose raw validation message is cryptic.
HINTS = {
    "storage.database": "expected sqlite:///path/to/file.db or postgresql://user:pw@host/db",
    "storage.messages": 'expected "database" or a mongodb://host:27017/db URL',
    "storage.cache": 'expected "memory" or a redis://host:6379/0 URL',
    "storage.media": "expected file:///path/to/folder or s3://key:secret@host:9000/bucket",
    "auth.registration": 'expected one of "open", "invite", "closed"',
    **{f"features.{k}": 'expected true, false, "on", "off" or a percentage like "10%"' for k in ("e2ee", "e2ee_default", "search", "graphql")},
}


class ConfigError(Exception):
    """One line for the admin: which key, which value, what is allowed."""


def redact_url(url: str) -> str:
    """A URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


ENV_PREFIX = "CHATD_"


def env_overrides(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    """CHATD_STORAGE__DATABASE=... -> {"storage": {"database": "..."}}."""
    out: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        out.setdefault(section, {})[key] = value
    return out


def _lookup(raw: dict[str, Any], path: list[str]) -> Any:
    node: Any = raw
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _explain(err: msgspec.ValidationError, raw: dict[str, Any], origins: dict[str, str]) -> str:
    line = _explain_key(err, raw)
    key = line.partition(" ")[0].rstrip(":")
    # A value from the environment: say which variable, the file does not have it.
    return f"{line} (from the environment: {origins[key]})" if key in origins else line


def _explain_key(err: msgspec.ValidationError, raw: dict[str, Any]) -> str:
    text = str(err)
    where = text.rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in text else ""
    reason = text.partition(" - at ")[0]
    path = [p for p in where.split(".") if p]
    key = ".".join(path) or "(top level)"
    if reason.startswith("Object contains unknown field"):
        unknown = reason.rpartition("`")[0].rpartition("`")[2]
        key = ".".join([*path, unknown])
        section = Config if not path else _section_type(path[0])
        allowed = ", ".join(section.__struct_fields__) if section else "?"
        return f"{key}: unknown key; allowed keys here: {allowed}"
    value = _lookup(raw, path)
    if isinstance(value, str) and path[-1:] and path[-1] in SECRET_KEYS.get(path[0], ()):
        value = redact_url(value) if "://" in value else "***"  # never echo a secret
    return f"{key} = {value!r}: {HINTS.get(key, reason)}"


def _section_type(name: str) -> type[msgspec.Struct] | None:
    for field, ftype in Config.__annotations__.items():
        if field == name:
            return globals().get(ftype) if isinstance(ftype, str) else ftype
    return None


def parse(raw: dict[str, Any], environ: dict[str, str] | None = None, *, holds_keys: bool = False) -> Config:
    """Validate a decoded TOML document plus env overrides into a Config.
    `holds_keys`: for the key process (`chatd keys serve`); any other
    process with keys.socket set refuses the keys' files unread."""
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    origins: dict[str, str] = {}
    env = dict(os.environ if environ is None else environ)
    keys_section = merged.get("keys") if isinstance(merged.get("keys"), dict) else {}
    socket = env.get(ENV_PREFIX + "KEYS__SOCKET", keys_section.get("socket", ""))
    refused = KEY_PROCESS_KEYS if socket and not holds_keys else ()
    files: dict[str, Path] = {}  # which secret came from which file; later sources win, as for values
    cred_files: dict[str, Path] = {}
    try:  # secrets from files (secret_files.py): chatd.toml, then systemd credentials, then the environment
        files.update(resolve_files(merged, "in the config file", refused))
        layers = [(credentials(env, cred_files, refused), "the credential {s}.{k}", cred_files)]
        overrides = env_overrides(env)
        from_files = resolve_files(overrides, "in the environment", refused)
        layers.append((overrides, ENV_PREFIX + "{S}__{K}", from_files))
    except SecretFileError as err:
        raise ConfigError(str(err)) from None
    for layer, origin, layer_files in layers:
        for section, values in layer.items():
            target = merged.setdefault(section, {})
            if isinstance(target, dict):
                target.update(values)
            origins.update({f"{section}.{key}": origin.format(s=section, k=key, S=section.upper(), K=key.upper())
                            for key in values})
            for key in values:
                name = f"{section}.{key}"
                if name in layer_files:
                    files[name] = layer_files[name]
                else:
                    files.pop(name, None)
    origins.update({key: origins[key] + "_FILE" for key in from_files})
    try:
        # strict=False lets "8080" from the environment become an int.
        config = msgspec.convert(merged, Config, strict=False)
    except msgspec.ValidationError as err:
        raise ConfigError(_explain(err, merged, origins)) from None
    config.secret_files = files
    return config


def default_path() -> Path:
    return Path(os.environ.get("CHATD_CONFIG", "chatd.toml"))


def load(path: str | Path | None = None, environ: dict[str, str] | None = None, *, holds_keys: bool = False) -> Config:
    """Read chatd.toml (missing file = all defaults) and apply the environment."""
    file = Path(path) if path is not None else default_path()
    raw: dict[str, Any] = {}
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{file}: not valid TOML: {err}") from None
    elif path is not None or "CHATD_CONFIG" in os.environ:
        # Named explicitly (flag or CHATD_CONFIG): a typo must not silently
        # mean "all defaults" (open registration on a fresh SQLite file).
        raise ConfigError(f"{file}: no such config file")
    return parse(raw, environ, holds_keys=holds_keys)
