"""Secret config values read from files (ASVS 2.10.3, 6.4.1), so they sit
in neither chatd.toml nor the process environment:

- `<key>_file = "/path"` in chatd.toml, e.g. `[storage] database_file`;
- `CHATD_<SECTION>__<KEY>_FILE=/path` in the environment;
- a systemd credential named `<section>.<key>` (`LoadCredential=` /
  `SetCredentialEncrypted=`), read from `$CREDENTIALS_DIRECTORY`.

Later sources win, as for plain values: chatd.toml, then credentials, then
the environment. A key and its `_file` in one source is refused, and so is
a file every user of the machine may read: a secret there is no secret.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

# The keys that hold secrets: passwords in URLs, S3 keys, encryption keys.
SECRET_KEYS = {
    "storage": ("database", "messages", "cache", "media"),
    "media": ("encryption_key", "previous_encryption_keys"),
    "auth": ("pepper", "second_factor_key", "second_factor_previous_keys"),
}
SUFFIX = "_file"
# The keys a key process holds (chatd/keys/): with keys.socket set, chatd
# itself refuses their files and credentials without reading them.
KEY_PROCESS_KEYS = ("auth.pepper", "auth.second_factor_key", "auth.second_factor_previous_keys",
                    "media.encryption_key", "media.previous_encryption_keys")


class SecretFileError(Exception):
    """One line: which key, which file, what is wrong (config.py makes it a ConfigError)."""


def read_secret(path: str | Path, key: str) -> str:
    """The file's text without its final line break; refuses a world-readable file."""
    file = Path(path)
    try:
        mode = file.stat().st_mode
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretFileError(f"{key}: {file}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SecretFileError(f"{key}: {file}: cannot read it ({err.__class__.__name__}: {err})") from None
    if mode & stat.S_IROTH:
        raise SecretFileError(f"{key}: {file} is readable by every user of this machine (mode {stat.S_IMODE(mode):04o});"
                              f" make it readable by chatd only: chmod o-rwx {file}")
    value = text.rstrip("\r\n")
    if not value:
        raise SecretFileError(f"{key}: {file} is empty")
    return value


def _refuse(name: str, what: str) -> SecretFileError:
    return SecretFileError(f"{what} is set, but so is keys.socket: the key process reads {name}, never chatd "
                           "(ASVS 6.4.2); remove it from this server's config")


def resolve_files(values: dict[str, Any], origin: str, refused: tuple[str, ...] = ()) -> dict[str, Path]:
    """Replace each `<key>_file` of `values` (one source: the file or the
    environment) by what the file holds; returns the keys it set, with their
    files (read again when a store reconnects: chatd/live_secret.py).
    `refused`: keys whose files are refused unread (KEY_PROCESS_KEYS)."""
    found: dict[str, Path] = {}
    for section, keys in SECRET_KEYS.items():
        entries = values.get(section)
        if not isinstance(entries, dict):
            continue
        for key in keys:
            if key + SUFFIX not in entries:
                continue
            if f"{section}.{key}" in refused:
                raise _refuse(f"{section}.{key}", f"{section}.{key}{SUFFIX} {origin}")
            if key in entries:
                raise SecretFileError(f"{section}.{key} and {section}.{key}{SUFFIX} are both set {origin}: keep one")
            path = entries.pop(key + SUFFIX)
            entries[key] = read_secret(path, f"{section}.{key}{SUFFIX} = {path!r}")
            found[f"{section}.{key}"] = Path(path)
    return found


def credentials(environ: dict[str, str], paths: dict[str, Path] | None = None,
                refused: tuple[str, ...] = ()) -> dict[str, dict[str, str]]:
    """systemd credentials named `<section>.<key>` for the secret keys (their
    files noted in `paths` as "<section>.<key>"); `refused` ones unread."""
    folder = environ.get("CREDENTIALS_DIRECTORY")
    out: dict[str, dict[str, str]] = {}
    if not folder:
        return out
    for section, keys in SECRET_KEYS.items():
        for key in keys:
            path = Path(folder) / f"{section}.{key}"
            if path.exists() and f"{section}.{key}" in refused:
                raise _refuse(f"{section}.{key}", f"the credential {section}.{key}")
            if path.exists():
                out.setdefault(section, {})[key] = read_secret(path, f"credential {section}.{key}")
                if paths is not None:
                    paths[f"{section}.{key}"] = path
    return out
