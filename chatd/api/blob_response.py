"""Answering with a stored blob: Range (206/416), ETag and If-None-Match
(304), or a redirect to a presigned URL when the store makes them.

Every answer carries nosniff, a script-free sandboxing CSP, and
Content-Disposition inline only for types a browser shows without running
anything.
"""

from __future__ import annotations

from litestar import Request, Response
from litestar.response import Redirect, Stream

from chatd.api.byte_ranges import Unsatisfiable, parse_range
from chatd.services.media.disposition import CSP, content_disposition, served_type
from chatd.services.media.service import MediaService, Readable


class _OwnType:
    """Litestar's Stream and Redirect let the route's media_type (which the
    OpenAPI document needs: "*/*" for a download) win over their own; a
    blob's Content-Type is its own, and a redirect's is text."""

    def to_asgi_response(self, *args, media_type=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return super().to_asgi_response(*args, media_type=self.media_type, **kwargs)


class BlobStream(_OwnType, Stream):
    pass


class BlobRedirect(_OwnType, Redirect):
    pass


async def serve_blob(request: Request, media: MediaService, readable: Readable, *, force_download: bool = False) -> Response:
    """The bytes of `readable`, whole or the Range asked for, or 304, or a redirect to a presigned URL."""
    disposition = content_disposition(readable.filename, readable.content_type, force_download=force_download)
    headers = {
        "ETag": readable.etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CSP,
        # The bytes behind an id never change; only members get them at all.
        "Cache-Control": "private, max-age=31536000, immutable",
    }
    if readable.etag in _tags(request.headers.get("if-none-match")):
        return Response(b"", status_code=304, headers=headers)
    link = await media.link(readable, disposition)
    if link is not None:
        return BlobRedirect(link, status_code=302, headers={"Cache-Control": "no-store"})
    if_range = request.headers.get("if-range")
    try:
        wanted = parse_range(request.headers.get("range"), readable.size) if if_range in (None, readable.etag) else None
    except Unsatisfiable:
        headers["Content-Range"] = f"bytes */{readable.size}"
        raise Unsatisfiable(f"The file has {readable.size} bytes.", extra={"size": readable.size},
                            headers=headers) from None
    start, end = wanted or (0, readable.size)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{readable.size}"
    headers["Content-Length"] = str(end - start)
    body = await media.open(readable, start, end)
    return BlobStream(body, status_code=status, media_type=served_type(readable.content_type), headers=headers)


def _tags(header: str | None) -> list[str]:
    if not header:
        return []
    return [t.strip().removeprefix("W/") for t in header.split(",")] if header.strip() != "*" else []
