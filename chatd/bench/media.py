"""Media: one big file up and down, and thumbnails served again and again.

A --media-mb file (default 200) is uploaded as one streamed multipart POST
and downloaded again, both over loopback, while the server's RSS is sampled:
bytes must stream (RSS grows by a few MB, not by the file's size). The
download is checked byte for byte by its sha256. Then one photo is uploaded
and its thumbnail fetched --thumbnail-requests times (the first one aside):
the server CPU per request is what serving a stored thumbnail costs.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from chatd.bench.population import Population, bounded
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary

MB = 1024 * 1024
BOUNDARY = "chatdbenchboundary"


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    a, b = (await population.ensure(2))[:2]
    chat = await population.conversation([a, b], "media")
    out: dict[str, Any] = {"file_mb": args.media_mb}
    await asyncio.sleep(0.5)
    rss_before = probe.rss()
    block = os.urandom(MB)
    expected = hashlib.sha256()
    for _ in range(args.media_mb):
        expected.update(block)

    with probe.peak_rss() as peak:
        began = time.perf_counter()
        attachment = await _upload(population, a.token, chat, block, args.media_mb)
        up_s = time.perf_counter() - began
    out["upload"] = {"seconds": round(up_s, 2), "mb_per_s": round(args.media_mb / up_s, 1),
                     "peak_rss_bytes": peak.peak, "sha256_ok": attachment["sha256"] == expected.hexdigest()}
    await a.client.send(chat, "the big file", attachments=[attachment["id"]])

    with probe.peak_rss() as peak:
        began = time.perf_counter()
        digest, size = await _download(population, b.token, attachment["id"])
        down_s = time.perf_counter() - began
    out["download"] = {"seconds": round(down_s, 2), "mb_per_s": round(size / MB / down_s, 1),
                       "peak_rss_bytes": peak.peak, "sha256_ok": digest == expected.hexdigest()}
    out["rss_before_bytes"] = rss_before
    out["rss_growth_bytes"] = None if rss_before is None else max(
        out["upload"]["peak_rss_bytes"], out["download"]["peak_rss_bytes"]) - rss_before
    out["thumbnail"] = await _thumbnails(population, a.token, chat, args.thumbnail_requests, probe)
    return out


async def _upload(population: Population, token: str, chat: str, block: bytes, mb: int) -> dict[str, Any]:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        for _ in range(mb):
            yield block
        yield tail

    r = await population.http.post(
        f"/api/v1/conversations/{chat}/attachments", content=body(), timeout=600,
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                 "Content-Length": str(len(head) + mb * MB + len(tail))})
    r.raise_for_status()
    return r.json()


async def _download(population: Population, token: str, attachment_id: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    async with population.http.stream("GET", f"/api/v1/attachments/{attachment_id}", timeout=600,
                                      headers={"Authorization": f"Bearer {token}"}) as r:
        r.raise_for_status()
        async for chunk in r.aiter_raw(MB):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _photo() -> bytes:
    from PIL import Image

    im = Image.radial_gradient("L").resize((2400, 1600)).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


async def _thumbnails(population: Population, token: str, chat: str, requests: int, probe: Probe) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    r = await population.http.post(f"/api/v1/conversations/{chat}/attachments", headers=headers,
                                   files={"file": ("photo.jpg", _photo(), "image/jpeg")})
    r.raise_for_status()
    path = f"/api/v1/attachments/{r.json()['id']}/thumbnail"
    (await population.http.get(path, headers=headers)).raise_for_status()  # the first one aside
    latencies: list[float] = []

    async def one() -> None:
        t0 = time.perf_counter()
        response = await population.http.get(path, headers=headers)
        latencies.append(time.perf_counter() - t0)
        response.raise_for_status()

    cpu_before = probe.cpu()
    await bounded([one for _ in range(requests)], parallel=4)
    cpu = None if cpu_before is None else probe.cpu() - cpu_before
    return {"requests": requests, "latency": latency_summary(latencies),
            "server_cpu_ms_per_request": None if cpu is None else round(cpu / requests * 1000, 3)}
