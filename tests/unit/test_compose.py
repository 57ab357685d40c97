"""config/compose.yaml and the chatd.toml it mounts, checked without a
container engine (this machine has none; the README's move is walked for
real by tests/e2e/test_scale_out_walk.py): the file parses, every image has
a version, the chatd config it mounts is valid with the environment compose
gives it, and every store it names is a service of the file. Guards against
drift between the compose file, the config keys and the README."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from chatd.config import load

CONFIG = Path(__file__).resolve().parents[2] / "config"


def compose() -> dict:
    return yaml.safe_load((CONFIG / "compose.yaml").read_text(encoding="utf-8"))


def chatd_services(spec: dict) -> dict[str, dict]:
    return {name: s for name, s in spec["services"].items() if "chatd" in s.get("command", [])}


def test_every_image_names_a_version():
    for name, service in compose()["services"].items():
        if "build" in service:
            continue  # chatd itself, built from this checkout
        image = service["image"]
        assert re.search(r":[\w.-]+$", image) and not image.endswith(":latest"), (name, image)


def test_two_chatd_processes_on_their_own_ports_sharing_one_data_volume():
    spec = compose()
    chatds = chatd_services(spec)
    assert len(chatds) == 2
    ports = [p for s in chatds.values() for p in s["ports"]]
    assert len(set(ports)) == 2
    for service in chatds.values():
        assert (CONFIG.parent / service["build"]["dockerfile"]).is_file()
        mounts = dict(v.split(":")[:2] for v in service["volumes"])
        assert mounts["./compose-chatd.toml"] == "/etc/chatd/chatd.toml"
        assert mounts["chatd-data"] == "/data"  # one pepper for both (the file's comment says why)
        assert set(service["depends_on"]) <= set(spec["services"])
    named = {v.split(":", 1)[0] for s in spec["services"].values() for v in s.get("volumes", [])
             if not v.startswith("./")}
    assert named <= set(spec["volumes"])


def test_the_mounted_config_is_valid_and_every_store_is_a_service_of_the_file():
    spec = compose()
    service = next(iter(chatd_services(spec).values()))
    environ = {key: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value) for key, value in service["environment"].items()}
    config = load(CONFIG / "compose-chatd.toml", environ)
    storage = config.storage
    assert storage.database.startswith("postgresql://") and storage.messages.startswith("mongodb://")
    assert storage.cache.startswith("redis://") and storage.media.startswith("s3://")
    assert config.server.data_dir == "/data"
    for url in (storage.database, storage.messages, storage.cache, storage.media):
        assert urlsplit(url).hostname in spec["services"], url
    assert urlsplit(storage.database).password  # from the environment, not the file
