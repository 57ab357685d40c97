"""Which adapter a server uses: keys.socket set -> the key process
(client.py), and then this process must hold no key at all: raw keys in
its config (file, credentials or environment) or a pepper file in its
data_dir refuse the start, so nobody believes them isolated while they
are not. Unset -> the keys in this process (local.py), as before."""

from __future__ import annotations

from chatd.config import Config, ConfigError
from chatd.keys.ring import KeyRing, KeysUnavailable
from chatd.secret_files import KEY_PROCESS_KEYS



def refuse_raw_keys(config: Config) -> None:
    """With keys.socket set: no key material in this process's config or
    data_dir. Their files were refused unread (config.parse); a key given
    as a value is refused here (it was read with the file or environment)."""
    found = [name for name in KEY_PROCESS_KEYS if getattr(getattr(config, name.split(".")[0]), name.split(".")[1])]
    if found:
        raise ConfigError(f"keys.socket is set, so the key process holds the keys; remove {', '.join(found)} from "
                          "this server's config (file, credentials and environment) and give them to the key process")
    from chatd.pepper_file import default_path

    if default_path(config).exists():
        raise ConfigError(f"keys.socket is set, but {default_path(config)} holds a pepper: move it to the key "
                          "process (its auth.pepper_file or its data_dir/pepper) and remove it here")


async def open_keys(config: Config) -> KeyRing:
    if not config.keys.socket:
        from chatd.keys.load import local_ring

        return local_ring(config)  # the pepper is added by pepper_file.open_passwords (made on first start)
    refuse_raw_keys(config)
    from chatd.keys.client import SocketKeyRing

    ring = SocketKeyRing(config.keys.socket)
    try:
        await ring.start()  # waits a little: systemd starts chatd-keys first, its socket may lag
    except KeysUnavailable as err:
        raise ConfigError(err.detail) from None  # one line, and no start without the keys
    return ring
