"""One file from a streamed multipart/form-data body, without buffering it.

Litestar's own form parsing reads the whole body (and spools files to
disk); an upload of hundreds of MB on a Pi must instead flow straight from
the socket to the blob store. `multipart`'s push parser (already a Litestar
dependency) turns the stream into segments; this yields the bytes of the
`file` field as they arrive. Other fields are skipped (they are hints at
most), each bounded by the parser's header limits and FIELD_MAX.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.exceptions import InternalServerException
from multipart import MultipartSegment, ParserError, PushMultipartParser

from chatd.errors import Invalid

FIELD = "file"
FIELD_MAX = 64 * 1024


class UploadInterrupted(Invalid):
    code, title = "upload_interrupted", "Upload interrupted"


def boundary_of(content_type: str | None) -> str:
    kind, _, params = (content_type or "").partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise Invalid("Send the file as multipart/form-data in a field named `file`.", code="multipart_required")
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value.strip('"'):
            return value.strip('"')
    raise Invalid("The multipart/form-data Content-Type has no boundary.", code="multipart_required")


class FormFile:
    """`await open()` finds the file field (its filename is then known);
    `chunks()` yields its bytes and then checks that the form ends cleanly."""

    def __init__(self, body: AsyncIterator[bytes], boundary: str):
        self._body = body
        self._parser = PushMultipartParser(boundary, max_header_count=8)
        self._pending: list[object] = []
        self.filename: str | None = None

    async def _events(self) -> AsyncIterator[object]:
        try:
            async for chunk in self._body:
                if not chunk:  # the end of the body: the form must be complete by now
                    try:
                        for event in self._parser.parse(chunk):
                            yield event
                    except ParserError:
                        raise UploadInterrupted("The upload ended before the whole file arrived.") from None
                    return
                for event in self._parser.parse(chunk):
                    yield event
        except ParserError as err:
            raise Invalid(f"The multipart body is malformed ({err}).", code="multipart_invalid") from None
        except InternalServerException:  # Litestar's word for "the client went away"
            raise UploadInterrupted("The upload ended before the whole file arrived.") from None

    async def open(self) -> None:
        self._stream = self._events()
        skipped = 0
        async for event in self._stream:
            if isinstance(event, MultipartSegment):
                if event.name == FIELD and event.filename is not None:
                    self.filename = event.filename
                    return
                skipped = 0
            elif event is not None:
                skipped += len(event)  # type: ignore[arg-type]
                if skipped > FIELD_MAX:
                    raise Invalid("A form field other than `file` is too large.", code="multipart_invalid")
        raise Invalid("The form has no field named `file` with a filename.", code="file_missing")

    async def chunks(self) -> AsyncIterator[bytes]:
        async for event in self._stream:
            if event is None:  # end of the file's segment
                break
            if isinstance(event, MultipartSegment):
                break
            yield bytes(event)  # type: ignore[arg-type]
        else:
            raise UploadInterrupted("The upload ended before the whole file arrived.")
        async for _ in self._stream:  # the form's closing boundary (and fields after the file)
            pass
        if not self._parser.closed or self._parser.error is not None:
            raise UploadInterrupted("The upload ended before the whole form arrived.")
