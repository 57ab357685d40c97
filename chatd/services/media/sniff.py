"""The content type of an upload, from its first bytes (the client's claim is
never trusted: a page named photo.png must not be served as an image).

Text is told apart from markup: anything that looks like HTML, SVG or XML is
labelled so, and such types are never served inline (see disposition.py).
"""

from __future__ import annotations

HEAD = 4096  # bytes the sniffer needs at most

_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
]

# ISO base media (MP4, MOV, HEIC...): "ftyp" at offset 4, then the brand.
_FTYP = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
}

_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<?xml", b"<!--")


def sniff(head: bytes) -> str:
    for offset, magic, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            head[8:12], "application/octet-stream"
        )
    if head[4:8] == b"ftyp":
        return _FTYP.get(head[8:12], "video/mp4")
    if head[:4] == b"\x1a\x45\xdf\xa3":  # Matroska / WebM
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"  # an MP3 frame without an ID3 tag
    return _text_kind(head)


def _text_kind(head: bytes) -> str:
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "application/octet-stream"
        text = head[: err.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if b"<svg" in lowered[:1024]:
        return "image/svg+xml"
    if lowered.startswith(_MARKUP) or any(tag in lowered[:1024] for tag in _MARKUP[:6]):
        return "text/html"
    return "text/plain"
