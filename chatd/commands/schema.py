"""`chatd schema`: JSON Schemas of the domain entities (the seed's schemas.md)."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from chatd import domain

ENTITIES = [
    domain.User,
    domain.PublicUser,
    domain.Conversation,
    domain.Member,
    domain.Message,
    domain.Contact,
    domain.Attachment,
    domain.Event,
]


def schemas() -> dict[str, object]:
    (_, components) = msgspec.json.schema_components(ENTITIES, ref_template="#/$defs/{name}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": components}


def run(out: str | None) -> int:
    document = schemas()
    if out is None:
        print(json.dumps(document, indent=2, sort_keys=True))
        return 0
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in document["$defs"].items():
        single = {"$schema": document["$schema"], "$ref": f"#/$defs/{name}", "$defs": document["$defs"]}
        (folder / f"{name}.schema.json").write_text(json.dumps(single, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(document['$defs'])} schemas to {folder}")
    return 0
