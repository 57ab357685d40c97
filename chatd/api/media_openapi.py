"""What the media routes take and answer, for the OpenAPI document: their
bodies are read as streams (never parsed by Litestar), so Litestar cannot
see them; these say so, with the statuses only media routes answer."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from chatd.api.declared_errors import Problem
from chatd.api.problems import PROBLEM

_FILE_FORM = RequestBody(
    required=True,
    description="multipart/form-data with the bytes in the field `file` (its filename and type are hints only)",
    content={"multipart/form-data": OpenAPIMediaType(schema=Schema(
        type=OpenAPIType.OBJECT, required=["file"],
        properties={"file": Schema(type=OpenAPIType.STRING, format="binary")}))},
)


@dataclass
class FileUpload(Operation):
    """An operation whose body is a streamed multipart form with a `file`."""

    def __post_init__(self) -> None:
        self.request_body = _FILE_FORM


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM, description=description, generate_examples=False)


UPLOAD_ERRORS = {
    413: _problem("Larger than limits.max_upload_mb, the user's quota, or 64 MB for an image (max_bytes)"),
    422: _problem("An image that is damaged, or has more pixels than media.max_image_pixels, or not an image; "
                  "attachment_rejected: the malware scanner flagged it (media.scan_command)"),
    503: _problem("scanner_unavailable: the malware scanner failed, stalled or is busy; nothing was stored"),
}
DOWNLOAD_ANSWERS = {
    206: ResponseSpec(data_container=bytes, media_type="*/*",
                      description="The range asked for (Content-Range)", generate_examples=False),
    302: ResponseSpec(data_container=None, description="A presigned URL of the object store (media.s3_presign_seconds)",
                      generate_examples=False),
    304: ResponseSpec(data_container=None, description="Not modified (If-None-Match)", generate_examples=False),
    416: _problem("A range past the end (Content-Range: bytes */size)"),
}
