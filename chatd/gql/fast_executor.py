"""graphql-core's executor with plain fields run directly (see fast_fields.py).

A selection set is planned once per request. Per object, a plain leaf is an
attribute read and (unless the value is already what the scalar returns) its
coercion; a plain object or list of objects runs its sub-selection straight
away, without graphql-core's resolve info, resolver call and completion
chain per value. Anything unusual (a null, an exception, a value the scalar
refuses, an awaitable item) is handed to graphql-core's own methods at that
point, so nulls, errors (message, path, null propagation) and the gathering
of awaitables (DataLoader batching) are graphql-core's.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from chatd.gql.fast_fields import LEAF, LIST, OBJECT, Entry, plan


_FAILED = object()  # an attribute read that raised


class FastFields(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (parent type, id of a grouped field set) -> (that set, kept alive; its plan)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, tuple[Entry, ...]]] = {}
        self._subs: dict[int, Any] = {}  # id of a planned entry -> its grouped sub-fields

    def execute_fields(self, parent_type: Any, source_value: Any, path: Any, grouped_field_set: Any,
                       position_context: Any) -> Any:
        if position_context is not None:  # incremental delivery (@defer): not planned
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        key = (parent_type, id(grouped_field_set))
        planned = self._plans.get(key)
        if planned is None:
            # Resolve hooks of extensions (middleware) see every field: then none is planned.
            middleware = bool(self.middleware_manager and self.middleware_manager.middlewares)
            planned = self._plans[key] = (grouped_field_set, plan(parent_type, grouped_field_set, middleware))
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for entry in planned[1]:
                name, kind, fields, get, _, inner, extra, _, nullable = entry  # one unpack: the hot loop
                if kind == LEAF:
                    try:
                        value = get(source_value)
                        if value is None:
                            if nullable:
                                results[name] = None
                                continue
                        else:
                            if type(value) is extra:
                                results[name] = value
                                continue
                            out = inner(value)
                            if out is not None and out is not Undefined:
                                results[name] = out
                                continue
                    except Exception:  # noqa: BLE001, S110 - the generic path below raises it properly
                        pass
                    result = self.execute_field(parent_type, source_value, fields, Path(path, name, parent_type.name),
                                                None)
                elif kind == OBJECT or kind == LIST:
                    result = self._composite_field(parent_type, source_value, path, entry)
                else:
                    result = self.execute_field(parent_type, source_value, fields, Path(path, name, parent_type.name),
                                                None)
                if result is not Undefined:
                    results[name] = result
                    if type(result) is not dict and is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:  # as graphql-core: settle what siblings started
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            done = await gather_with_cancel(*(results[f] for f in awaitable_fields))
            results.update(zip(awaitable_fields, done, strict=True))
            return results

        return get_results()

    def _composite_field(self, parent_type: Any, source: Any, path: Any, entry: Entry) -> Any:
        """A plain object (OBJECT) or list of objects (LIST) field."""
        is_list = entry.kind == LIST
        try:
            value = entry.get(source)
        except Exception:  # noqa: BLE001 - read again and raised by the generic path
            value = _FAILED
        if value is None and entry.nullable:
            return None
        field_path = Path(path, entry.name, parent_type.name)
        grouped = self._sub_selection(entry)
        if grouped is None or value is None or value is _FAILED or isinstance(value, Exception) or (
                is_list and type(value) is not list):
            return self.execute_field(parent_type, source, entry.fields, field_path, None)
        try:
            completed = (self._items(parent_type, field_path, entry, value, grouped) if is_list
                         else self.execute_fields(entry.inner, value, field_path, grouped, None))
        except Exception as raw:
            self.handle_field_error(raw, entry.return_type, entry.fields, field_path)
            return None
        if type(completed) in (dict, list) or not self.is_awaitable(completed):
            return completed
        return self._awaited(completed, entry.return_type, entry.fields, field_path)

    def _sub_selection(self, entry: Entry) -> Any:
        """The entry's grouped sub-fields (the same for every value), or None
        when they defer some (incremental delivery keeps the generic path)."""
        key = id(entry)  # entries live as long as self._plans
        if key not in self._subs:
            grouped, defer_usages, _ = self.collect_subfields(entry.inner, entry.fields)
            self._subs[key] = None if defer_usages else grouped
        return self._subs[key]

    def _items(self, parent_type: Any, path: Any, entry: Entry, items: list[Any], grouped: Any) -> Any:
        object_type, item_type, fields = entry.inner, entry.extra, entry.fields
        is_awaitable = self.is_awaitable
        out: list[Any] = []
        awaitable_indices: list[int] = []
        info = None
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                if item is None or isinstance(item, Exception) or is_awaitable(item):
                    # graphql-core's completion of one item (it needs the resolve info)
                    info = info or self.build_resolve_info(entry.field_def, to_nodes(fields), parent_type, path)
                    if is_awaitable(item):
                        out.append(self.complete_awaitable_list_item_value(item, item_type, fields, info,
                                                                           item_path, None))
                        awaitable_indices.append(index)
                    elif self.complete_list_item_value(item, out, item_type, fields, info, item_path, None):
                        awaitable_indices.append(index)
                    continue
                try:
                    completed = self.execute_fields(object_type, item, item_path, grouped, None)
                    if type(completed) is not dict and is_awaitable(completed):
                        completed = self._awaited(completed, item_type, fields, item_path)
                        awaitable_indices.append(index)
                except Exception as raw:
                    self.handle_field_error(raw, item_type, fields, item_path)
                    completed = None
                out.append(completed)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([out[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return out

        async def get_items() -> list[Any]:
            done = await gather_with_cancel(*(out[i] for i in awaitable_indices))
            for i, value in zip(awaitable_indices, done, strict=True):
                out[i] = value
            return out

        return get_items()

    async def _awaited(self, completed: Any, return_type: Any, fields: Any, path: Any) -> Any:
        try:
            return await completed
        except Exception as raw:
            self.handle_field_error(raw, return_type, fields, path)
            return None
