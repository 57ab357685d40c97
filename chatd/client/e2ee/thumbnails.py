"""Thumbnails of images in encrypted conversations, made by the client (the
server only ever sees ciphertext, so it cannot make them): at most 320 px on
the long side, WebP, without the photo's metadata (EXIF: camera, place)."""

from __future__ import annotations

import io
from dataclasses import dataclass

MAX_SIDE = 320
MAX_SOURCE_BYTES = 64 * 1024 * 1024  # larger images are sent without a thumbnail
MAX_PIXELS = 50_000_000  # a decompression bomb gets no thumbnail either
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


@dataclass(frozen=True)
class Thumbnail:
    width: int  # of the original image
    height: int
    data: bytes  # the thumbnail, WebP
    thumb_width: int
    thumb_height: int
    type: str = "image/webp"


def make_thumbnail(data: bytes) -> Thumbnail | None:
    """None when the bytes are not an image Pillow can read safely."""
    from PIL import Image, ImageOps  # Pillow: only loaded when an image is sent

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image = ImageOps.exif_transpose(image)  # as the camera meant it, then the EXIF is dropped
            width, height = image.size
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "WEBP", quality=80)
            return Thumbnail(width, height, out.getvalue(), image.width, image.height)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
