"""Strip what a photo says about its owner (EXIF: GPS position, camera
serial, time; XMP; IPTC; comments) without re-encoding a single pixel.

The formats are walked segment by segment and the metadata segments are
dropped; image data is copied as it is, so nothing is lost in quality and
nothing needs decoding. A JPEG's orientation is the one EXIF field worth
keeping (without it a portrait photo shows on its side): it is written back
as a minimal EXIF block holding only that tag.
"""

from __future__ import annotations

import struct


class NotParsable(Exception):
    """The bytes do not follow the format's structure (the caller refuses them)."""


def strip(data: bytes, content_type: str, *, orientation: int = 1) -> bytes:
    if content_type == "image/jpeg":
        return _jpeg(data, orientation)
    if content_type == "image/png":
        return _png(data)
    if content_type == "image/webp":
        return _webp(data)
    return data


# JPEG: APP1 (Exif, XMP), APP13 (IPTC/Photoshop), COM go; APP0 (JFIF),
# APP2 (ICC colour profile) and APP14 (Adobe colour transform) stay.
_JPEG_DROP = {0xE1, 0xED, 0xFE}


def _jpeg(data: bytes, orientation: int) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise NotParsable("no JPEG start marker")
    out = [b"\xff\xd8"]
    if orientation != 1:
        out.append(_orientation_app1(orientation))
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise NotParsable("JPEG marker expected")
        marker = data[i + 1] if i + 1 < len(data) else -1
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            out.append(data[i : i + 2])
            i += 2
            continue
        if i + 4 > len(data):
            raise NotParsable("JPEG segment cut short")
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        end = i + 2 + length
        if length < 2 or end > len(data):
            raise NotParsable("JPEG segment length out of range")
        if marker == 0xDA:  # start of scan: the rest is image data (and trailers)
            out.append(data[i:])
            return b"".join(out)
        if marker not in _JPEG_DROP:
            out.append(data[i:end])
        i = end
    raise NotParsable("JPEG without image data")


def _orientation_app1(orientation: int) -> bytes:
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + b"\x00\x00\x00\x00"
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# PNG: text chunks, EXIF and the modification time go; everything else stays.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _png(data: bytes) -> bytes:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise NotParsable("no PNG signature")
    out = [data[:8]]
    i = 8
    while i < len(data):
        if i + 8 > len(data):
            raise NotParsable("PNG chunk cut short")
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        end = i + 12 + length
        if end > len(data):
            raise NotParsable("PNG chunk length out of range")
        if kind not in _PNG_DROP:
            out.append(data[i:end])
        i = end
        if kind == b"IEND":
            return b"".join(out)
    raise NotParsable("PNG without an end chunk")


def _webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise NotParsable("no WebP header")
    chunks = []
    i = 12
    while i < len(data):
        if i + 8 > len(data):
            raise NotParsable("WebP chunk cut short")
        kind, length = struct.unpack("<4sI", data[i : i + 8])
        end = i + 8 + length + (length & 1)
        if end > len(data) + (length & 1):
            raise NotParsable("WebP chunk length out of range")
        if kind == b"VP8X":
            header = bytearray(data[i:end])
            header[8] &= ~0x0C & 0xFF  # clear the EXIF and XMP flags
            chunks.append(bytes(header))
        elif kind not in (b"EXIF", b"XMP "):
            chunks.append(data[i:end])
        i = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
