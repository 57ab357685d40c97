"""GraphQL over the same services as REST (strawberry). Imported only when
someone for whom the `graphql` flag is on calls /api/v1/graphql, so a server
with the flag off never loads strawberry (see api/graphql.py)."""
