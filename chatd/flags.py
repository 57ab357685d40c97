"""Every feature flag chatd knows: name, what it gates, default.

Add a flag here, give it a key in config.FeaturesConfig (its value in
chatd.toml), and ask `services.features.on(NAME, user_id)` where it gates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    name: str
    description: str
    default: bool


FLAGS: dict[str, Flag] = {f.name: f for f in (
    Flag("e2ee", "End-to-end encrypted conversations and messages.", True),
    Flag("e2ee_default", "New direct conversations are end-to-end encrypted unless the request says "
         "e2ee: false (only where e2ee is on too).", False),
    Flag("search", "Full-text search over messages (GET /api/v1/search).", True),
    Flag("graphql", "The GraphQL endpoint /api/v1/graphql (queries, mutations, subscriptions).", False),
)}
