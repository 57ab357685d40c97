"""Modules Litestar imports at the top that a server uses only on request.

`litestar.openapi.plugins` imports PyYAML for its YAML schema page (chatd
serves only the JSON one and Swagger UI), and `litestar.app` imports pdb
as the default debugger of `pdb_on_exception` (off in chatd): together
~1.4 MB of RSS and ~20 ms of every start for code a server never runs.
Each is put in sys.modules as a stand-in whose first attribute read
imports the real module (and every later read is passed on to it):
`import yaml` succeeds at once, and PyYAML loads only if something uses
it. Only in the server process, before Litestar is imported.

(importlib.util.LazyLoader does not serve here: on Python 3.11 an `import`
statement reads the module's __spec__, which makes it load at once.)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

DEFERRED = ("yaml", "pdb")


class _StandIn(types.ModuleType):
    def __getattr__(self, attr: str) -> Any:  # only for what the stand-in lacks: all but its own few
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    for name in names:
        if name in sys.modules:
            continue  # already loaded (or hidden): nothing to gain
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue  # not installed here; Litestar's own import will say so
        stand_in = _StandIn(name)
        stand_in.__spec__ = spec
        sys.modules[name] = stand_in
