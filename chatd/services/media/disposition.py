"""How a download is served: inline only for types a browser shows without
running anything (raster images, audio, video, PDF); everything else is a
download. Every answer carries nosniff and a CSP that forbids scripts, so
even a file that slipped past sniffing cannot act as a page of this site."""

from __future__ import annotations

from urllib.parse import quote

INLINE = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/avif",
    "audio/mpeg", "audio/ogg", "audio/wav", "audio/flac", "audio/mp4", "audio/webm",
    "video/mp4", "video/webm", "video/quicktime",
    "application/pdf",
})

# Sandboxed: a PDF viewer still works, scripts and plugins never run.
CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def is_inline(content_type: str) -> bool:
    return content_type in INLINE


def content_disposition(filename: str, content_type: str, *, force_download: bool = False) -> str:
    kind = "inline" if is_inline(content_type) and not force_download else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def served_type(content_type: str) -> str:
    """Markup and scripts go out as bytes, whatever they were."""
    if content_type.startswith("text/") and content_type != "text/plain":
        return "application/octet-stream"
    if content_type == "image/svg+xml":
        return "application/octet-stream"
    if content_type == "text/plain":
        return "text/plain; charset=utf-8"
    return content_type
