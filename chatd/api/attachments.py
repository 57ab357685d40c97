"""Attachments: upload (streamed multipart), download (Range, ETag), thumbnail,
metadata and a conversation's shared files."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from chatd.api.blob_response import serve_blob
from chatd.api.form_file import FormFile, boundary_of
from chatd.api.media_openapi import DOWNLOAD_ANSWERS, UPLOAD_ERRORS, FileUpload
from chatd.api.security import Me
from chatd.domain import Attachment
from chatd.errors import TooLarge
from chatd.services.media.ingest import MB
from chatd.services.registry import Services

# Multipart framing around the file: boundaries, part headers, small fields.
FORM_SLACK = 64 * 1024


class Attachments(msgspec.Struct):
    items: list[Attachment]


@post("/api/v1/conversations/{conversation_id:str}/attachments", status_code=201, tags=["attachments"],
      request_max_body_size=None, operation_class=FileUpload, responses=UPLOAD_ERRORS)
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


@get("/api/v1/attachments/{attachment_id:str}", tags=["attachments"], responses=DOWNLOAD_ANSWERS,
     media_type="*/*")  # the file's own (sniffed) type
async def download_attachment(
    request: Request, attachment_id: FromPath[str], me: Me, services: NamedDependency[Services],
    download: Annotated[bool, QueryParameter(description="always as a download, never inline")] = False,
) -> Response:
    """The bytes (members only). Range requests answer 206; If-None-Match 304."""
    readable = await services.media.download(me.id, attachment_id)
    return await serve_blob(request, services.media, readable, force_download=download)


@get("/api/v1/attachments/{attachment_id:str}/thumbnail", tags=["attachments"], responses=DOWNLOAD_ANSWERS,
     media_type="image/webp")
async def attachment_thumbnail(
    request: Request, attachment_id: FromPath[str], me: Me, services: NamedDependency[Services]
) -> Response:
    """A small WebP preview of an image (404 `no_thumbnail` for other files)."""
    readable = await services.media.thumbnail(me.id, attachment_id)
    return await serve_blob(request, services.media, readable)


ATTACHMENT_ROUTES = [upload_attachment, list_attachments, attachment_info, download_attachment, attachment_thumbnail]
