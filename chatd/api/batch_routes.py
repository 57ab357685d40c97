"""Registering the app's route handlers in one pass, once each.

Litestar's `Litestar.register` takes one handler at a time and finishes it
at once: when a path already has handlers it builds the path's route anew
and registers every handler of it again (their kwargs models rebuilt: 299
of them for 180 handlers), then rebuilds the whole routing trie (165 times
for chatd's handlers). The final routes are the same whatever the order,
so during `__init__` only the routes are collected, and each route is
finished once at the end: the same steps as `Litestar.register`, in the
same order per route. (Registering one Router instead deep-copies every
handler, which costs what it saves.) A `register` after start-up, as
Litestar documents for dynamic routes, goes through Litestar's own.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Router
from litestar._asgi.utils import get_route_handlers
from litestar.routes import HTTPRoute, WebSocketRoute
from litestar.types import ControllerRouterHandler


class BatchedRegistration(Litestar):
    _batching = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._batching = True
        self._method_order: dict[str, dict[str, None]] = {}
        try:
            super().__init__(*args, **kwargs)
        finally:
            self._batching = False
        self._finish_routes()
        del self._method_order

    def register(self, value: ControllerRouterHandler) -> None:  # type: ignore[override]
        if self._batching:
            # The routes only, as Litestar.register's first step. Its routing
            # trie keeps a path's methods in the order they first appeared.
            for route in Router.register(self, value):
                if isinstance(route, HTTPRoute):
                    order = self._method_order.setdefault(route.path, {})
                    for handler in route.route_handlers:
                        order.update(dict.fromkeys(handler.http_methods))
        else:
            super().register(value)

    def _finish_routes(self) -> None:
        # Litestar.register's remaining steps, for each final route once.
        for route in self.routes:
            for route_handler in get_route_handlers(route):
                route_handler.on_registration(self)
            if isinstance(route, HTTPRoute):
                route.create_handler_map()
                # In the order the trie would have met them (a 405's Allow header).
                order = self._method_order[route.path]
                route.route_handler_map = {method: route.route_handler_map[method] for method in order}
            elif isinstance(route, WebSocketRoute):
                handler = route.route_handler
                route.handler_parameter_model = handler.create_kwargs_model(path_parameters=route.path_parameters)
            for plugin in self.plugins.receive_route:
                plugin.receive_route(route)
        self.asgi_router.construct_routing_trie()
