"""Attachments: upload (streamed multipart), download (Range, ETag), thumbnail,
metadata and a conversation's shared files.

Downloads carry nosniff, a script-free sandboxing CSP, and Content-Disposition
inline only for types a browser shows without running anything.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream

from chatd.api.byte_ranges import Unsatisfiable, parse_range
from chatd.api.form_file import FormFile, boundary_of
from chatd.api.security import Me
from chatd.domain import Attachment
from chatd.errors import TooLarge
from chatd.services.media.disposition import CSP, content_disposition, served_type
from chatd.services.media.service import MB, Readable
from chatd.services.registry import Services

# Multipart framing around the file: boundaries, part headers, small fields.
FORM_SLACK = 64 * 1024


class Attachments(msgspec.Struct):
    items: list[Attachment]


@post("/api/v1/conversations/{conversation_id:str}/attachments", status_code=201, tags=["attachments"],
      request_max_body_size=None)
async def upload_attachment(
    request: Request, conversation_id: FromPath[str], me: Me, services: NamedDependency[Services],
    encrypted: Annotated[bool, QueryParameter(description="the client encrypted the bytes (E2EE)")] = False,
) -> Attachment:
    """Upload a file (multipart/form-data, field `file`) to a conversation you
    are in. Its type is sniffed from the bytes; images get width, height, a
    thumbnail, and their EXIF/XMP metadata removed. Unbound until a message
    names it in `attachments` (then other members see it)."""
    limit = services.config.limits.max_upload_mb * MB
    announced = request.headers.get("content-length")
    if announced and announced.isdigit() and int(announced) > limit + FORM_SLACK:
        raise TooLarge(f"Uploads are limited to {services.config.limits.max_upload_mb} MB.",
                       code="upload_too_large", extra={"max_bytes": limit})
    form = FormFile(request.stream(), boundary_of(request.headers.get("content-type")))
    await form.open()
    return await services.media.upload(me.id, conversation_id, form.filename, form.chunks(), encrypted=encrypted)


@get("/api/v1/conversations/{conversation_id:str}/attachments", tags=["attachments"])
async def list_attachments(
    conversation_id: FromPath[str], me: Me, services: NamedDependency[Services],
    ids: Annotated[str | None, QueryParameter(description="comma-separated attachment ids (at most 100)")] = None,
    before: Annotated[str | None, QueryParameter(max_length=26)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
) -> Attachments:
    """Files sent in the conversation, newest first: those named in `ids`, or
    a page (next page: `before` = the last id)."""
    wanted = None if ids is None else [i for i in ids.split(",") if i]
    return Attachments(items=await services.media.listing(me.id, conversation_id, ids=wanted, before=before,
                                                          limit=limit))


@get("/api/v1/attachments/{attachment_id:str}/info", tags=["attachments"])
async def attachment_info(attachment_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> Attachment:
    return await services.media.info(me.id, attachment_id)


@get("/api/v1/attachments/{attachment_id:str}", tags=["attachments"])
async def download_attachment(
    request: Request, attachment_id: FromPath[str], me: Me, services: NamedDependency[Services],
    download: Annotated[bool, QueryParameter(description="always as a download, never inline")] = False,
) -> Response:
    """The bytes (members only). Range requests answer 206; If-None-Match 304."""
    readable = await services.media.download(me.id, attachment_id)
    return await _serve(request, services, readable, force_download=download)


@get("/api/v1/attachments/{attachment_id:str}/thumbnail", tags=["attachments"])
async def attachment_thumbnail(
    request: Request, attachment_id: FromPath[str], me: Me, services: NamedDependency[Services]
) -> Response:
    """A small WebP preview of an image (404 `no_thumbnail` for other files)."""
    readable = await services.media.thumbnail(me.id, attachment_id)
    return await _serve(request, services, readable, force_download=False)


async def _serve(request: Request, services: Services, readable: Readable, *, force_download: bool) -> Response:
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
    link = await services.media.link(readable, disposition)
    if link is not None:
        return Redirect(link, status_code=302, headers={"Cache-Control": "no-store"})
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
    body = await services.media.open(readable, start, end)
    return Stream(body, status_code=status, media_type=served_type(readable.content_type), headers=headers)


def _tags(header: str | None) -> list[str]:
    if not header:
        return []
    return [t.strip().removeprefix("W/") for t in header.split(",")] if header.strip() != "*" else []


ATTACHMENT_ROUTES = [upload_attachment, list_attachments, attachment_info, download_attachment, attachment_thumbnail]
