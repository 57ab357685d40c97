"""The app's handlers registered in one pass (api/batch_routes.py) give the
app Litestar's own registration gives: same routes, same per-handler
models, same OpenAPI document; each handler finished once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from litestar import get
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute, WebSocketRoute
from litestar.testing import TestClient

from chatd.app import create_app
from chatd.bench.server import write_config


# Builds chatd's app in a fresh interpreter (a second app in one process
# meets state the first left: OpenAPI's OPTIONS and GET swap places) and
# prints what routing depends on. argv: "batched" or "own" (Litestar's
# registration, one handler at a time), then a chatd.toml.
FINGERPRINT = """
import json, re, sys
sys.modules["pydantic"] = None
from litestar import Litestar
from litestar.routes import HTTPRoute, WebSocketRoute
import chatd.app
from chatd import config
from chatd.api.socket_send import ChatdApp

class LitestarsOwn(ChatdApp):
    def __init__(self, *args, **kwargs):
        Litestar.__init__(self, *args, **kwargs)

    def register(self, value):
        Litestar.register(self, value)

if sys.argv[1] == "own":
    chatd.app.ChatdApp = LitestarsOwn
app = chatd.app.create_app(config.load(sys.argv[2]))
assert type(app) is chatd.app.ChatdApp

def model(m):
    return {name: repr(sorted(map(repr, v)) if isinstance(v, (set, frozenset)) else v)
            for name in m.__slots__ if name != "extractors" for v in [getattr(m, name)]}

routes = []
for route in app.routes:
    if isinstance(route, HTTPRoute):
        for method, (handler, m) in sorted(route.route_handler_map.items()):
            routes.append([route.path, method, str(handler), model(m), sorted(handler.resolve_dependencies()),
                           len(handler.resolve_middleware()), len(handler.resolve_guards())])
    elif isinstance(route, WebSocketRoute):
        routes.append([route.path, "websocket", str(route.route_handler), model(route.handler_parameter_model)])
    else:
        routes.append([route.path, type(route).__name__, str(route.route_handler)])
trie, todo = [], [app.asgi_router.root_route_map_node]
while todo:  # each node's methods in order: a 405's Allow header
    node = todo.pop()
    methods = [m for m in node.asgi_handlers if "litestar_openapi" not in str(m)]
    # A Router's paths (OpenAPI's, /static) reach the app through
    # litestar.utils.sequence.unique, a set of handlers: their order follows
    # memory addresses, in Litestar's own registration too.
    trie.append([node.path_template, sorted(methods) if node.path_template.startswith(("/schema", "/static"))
                 else methods])
    todo.extend(node.children.values())
print(re.sub(r" at 0x[0-9a-f]+", "", json.dumps({
    "routes": sorted(routes, key=repr), "trie": sorted(trie, key=repr),
    "mapping": sorted(p for p in app.asgi_router.route_mapping if "litestar_openapi" not in p),
    "openapi": app.openapi_schema.to_schema()}, default=str, sort_keys=True)))
"""


def _fingerprint(how: str, toml: Path) -> dict:
    # One hash seed for both: a handler's methods and paths are sets, and
    # their order (so the order Litestar meets them in) follows the seed.
    done = subprocess.run([sys.executable, "-c", FINGERPRINT, how, str(toml)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONHASHSEED": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_batched_app_is_the_app_litestar_builds(tmp_path):
    write_config(tmp_path / "chatd.toml", {"server": {"data_dir": str(tmp_path)},
                                           "storage": {"database": f"sqlite:///{tmp_path}/chatd.db"}})
    batched, own = _fingerprint("batched", tmp_path / "chatd.toml"), _fingerprint("own", tmp_path / "chatd.toml")
    assert len(batched["routes"]) > 150 and len(batched["trie"]) > 50
    for part in ("routes", "trie", "mapping", "openapi"):
        assert batched[part] == own[part], part


def test_each_handler_is_finished_once(config, monkeypatch):
    finished: list[int] = []
    real = BaseRouteHandler.create_kwargs_model

    def counting(self, *args, **kwargs):
        finished.append(id(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BaseRouteHandler, "create_kwargs_model", counting)
    app = create_app(config)
    handlers = [h for route in app.routes if isinstance(route, (HTTPRoute, WebSocketRoute))
                for h in (route.route_handlers if isinstance(route, HTTPRoute) else [route.route_handler])]
    assert len(handlers) > 150 and sorted(finished) == sorted(map(id, handlers))


def test_a_route_registered_after_start_up_is_served(config):
    @get("/late", sync_to_thread=False, opt={"exclude_from_auth": True})
    def late() -> dict[str, str]:
        return {"late": "yes"}

    app = create_app(config)
    app.register(late)  # Litestar's own path: finished and routed at once
    with TestClient(app) as client:
        assert client.get("/late").json() == {"late": "yes"}
        assert client.get("/healthz").json() == {"status": "ok"}
