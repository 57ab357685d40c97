"""Attachments over HTTP: streamed uploads and downloads, so a client's
memory does not depend on the size of a file either."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote


from chatd.client.errors import ChatdError
from chatd.client.http import API, HttpTransport, decode
from chatd.client.models import Items
from chatd.domain import Attachment

CHUNK = 256 * 1024
# Called with (bytes done, bytes in all) as an upload or download goes.
Progress = Callable[[int, int], None]


class MediaApi(HttpTransport):
    async def upload(self, conversation_id: str, source: str | os.PathLike[str] | bytes, *,
                     filename: str | None = None, progress: Progress | None = None,
                     encrypted: bool = False) -> Attachment:
        """Upload a file (a path, streamed from disk) or bytes to a conversation;
        send it with `send(..., attachments=[a.id])`."""
        if isinstance(source, bytes):
            size, name, chunks = len(source), filename or "file", _of_bytes(source)
        else:
            path = Path(source)
            size, name, chunks = path.stat().st_size, filename or path.name, _of_file(path)
        return await self.upload_stream(conversation_id, chunks, size, filename=name, progress=progress,
                                        encrypted=encrypted)

    async def upload_stream(self, conversation_id: str, chunks: AsyncIterator[bytes], size: int, *,
                            filename: str = "file", progress: Progress | None = None,
                            encrypted: bool = False) -> Attachment:
        """Upload exactly `size` bytes that `chunks` yields (e.g. a file
        encrypted as it is read, see chatd.client.e2ee)."""
        name = filename
        boundary = secrets.token_hex(16)
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{quote(name)}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        async def body() -> AsyncIterator[bytes]:
            yield head
            done = 0
            async for chunk in chunks:
                done += len(chunk)
                if progress is not None:
                    progress(done, size)
                yield chunk
            yield tail

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Content-Length": str(len(head) + size + len(tail)), **self._auth()}
        response = await self.http.post(f"{API}/conversations/{conversation_id}/attachments", content=body(),
                                        headers=headers, params={"encrypted": "true"} if encrypted else None)
        if response.status_code >= 400:
            raise ChatdError.of_response(response.status_code, response.content)
        return decode(response, Attachment)

    async def attachment(self, attachment_id: str) -> Attachment:
        return await self.call("GET", f"/attachments/{attachment_id}/info", type=Attachment)

    async def attachments(self, conversation_id: str, *, ids: list[str] | None = None) -> list[Attachment]:
        """Files sent in a conversation (newest first), or those among `ids`."""
        params: dict[str, Any] = {"ids": ",".join(ids)} if ids else {}
        page = await self.call("GET", f"/conversations/{conversation_id}/attachments", params=params,
                               type=Items[Attachment])
        return page.items

    async def download(self, attachment_id: str, dest: str | os.PathLike[str] | None = None, *,
                       thumbnail: bool = False, progress: Progress | None = None) -> bytes | Path:
        """The bytes (or, with `dest`, streamed into that file, whose Path is returned)."""
        path = f"{API}/attachments/{attachment_id}" + ("/thumbnail" if thumbnail else "")
        async with self.http.stream("GET", path, headers=self._auth()) as response:
            if response.status_code >= 400:
                raise ChatdError.of_response(response.status_code, await response.aread())
            total = int(response.headers.get("content-length", 0))
            if dest is None:
                return await response.aread()
            target = Path(dest)
            done = 0
            with target.open("wb") as out:
                async for chunk in response.aiter_bytes(CHUNK):
                    await asyncio.to_thread(out.write, chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
            return target

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


async def _of_bytes(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


async def _of_file(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            yield chunk


__all__ = ["MediaApi", "Progress"]
