"""The fast lane: the two hot message routes answered without Litestar's
per-request machinery (issue 14), for the plain, well-formed request signed
in with a bearer token or a session cookie (the CSRF rule of csrf.py).

`POST` and `GET /api/v1/conversations/{id}/messages` are most of a chat
server's traffic. Litestar's own work for one (routing, the middleware
stack, the connection objects, dependency and signature resolution, the
response object) is spread thin, no step above ~8%, but together it is a
third of a send's instructions (BENCHMARKS.md, "Ninth session").

The lane uses the very pieces the Litestar routes use: the same token check
(`accounts.authenticate`, its cache), struct_body's one-pass decode, the
same services calls, the same problem details for the errors the service
raises, the same security headers and access-log lines. Anything it is not
sure of (two ways of signing in at once, a cookie session the CSRF rule
refuses, no or an unknown token, an odd query, a body
that does not decode, a wrong content type, any other method) it declines
before any side effect, handing the request to Litestar unchanged, its body
replayed: every refusal keeps Litestar's exact answer.
"""
