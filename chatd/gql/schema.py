"""The schema, built once per process on first use (strawberry loads here)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from chatd.config import GraphQLConfig
from chatd.gql.fast_executor import FastFields
from chatd.gql.fast_fields import plain_attribute_fields
from chatd.gql.mutation import Mutation
from chatd.gql.query import Query
from chatd.gql.subscription import Subscription


class ChatdSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # errors.py logs what is unexpected; a NotFound is not worth a stack trace.
        return None


def schema_for(config: GraphQLConfig) -> ChatdSchema:
    return _build(config.introspection, config.max_depth, config.max_tokens, config.max_aliases)


@lru_cache(maxsize=4)
def _build(introspection: bool, max_depth: int, max_tokens: int, max_aliases: int) -> ChatdSchema:
    # Bound the work one document can ask for: nesting, size, aliases.
    # Introspection's own nesting (__type.ofType...) is not counted. The rule
    # classes are made once: the validation cache below is keyed by them.
    rules = [
        *QueryDepthLimiter(max_depth=max_depth, should_ignore=lambda ctx: ctx.field_name.startswith("__")).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    # Factories: strawberry builds fresh extensions per operation.
    extensions: list[Any] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        # A client sends the same few documents again and again: parse and
        # validate each once (a tenth of a list screen's CPU otherwise).
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    schema = ChatdSchema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
                         execution_context_class=FastFields)
    plain_attribute_fields(schema)
    return schema
