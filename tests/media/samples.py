"""Files for the media tests, made on the spot (nothing binary in the tree)."""

from __future__ import annotations

import io
import struct
import zlib


def jpeg_with_gps(width: int = 64, height: int = 32, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF has a GPS position, a camera model and an orientation."""
    from PIL import Image

    im = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(width: int = 40, height: int = 30, text: str | None = None) -> bytes:
    from PIL import Image, PngImagePlugin

    im = Image.new("RGBA", (width, height), (10, 120, 200, 100))
    info = None
    if text is not None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text)
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG that claims 10 billion pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


def gps_of(data: bytes) -> dict:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return dict(im.getexif().get_ifd(0x8825))


def exif_of(data: bytes) -> dict:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return dict(im.getexif())
