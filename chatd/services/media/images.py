"""What chatd learns from an image and makes of it, in the decoder process
(decode_worker.py, never the server's own; decoder.py talks to it): checked
whole (truncated and corrupt files refused), size and pixel count bounded
before anything is decoded (decompression bombs), metadata stripped
(metadata.py), and a small WebP thumbnail for previews.

Pillow is imported here only, inside examine(): the server imports this
module for its constants and never loads Pillow itself.
"""

from __future__ import annotations

import io
import warnings

import msgspec

from chatd.services.media import metadata

# Types this module reads; other image types are stored as plain files.
PROCESSED = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})
THUMB_EDGE = 320
THUMB_TYPE = "image/webp"
AVATAR_EDGE = 256
# EXIF orientations 5-8 turn the picture a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


class BadImage(Exception):
    def __init__(self, detail: str, code: str):
        super().__init__(detail)
        self.detail, self.code = detail, code


class ImageFacts(msgspec.Struct, frozen=True):
    width: int
    height: int
    data: bytes  # what to store: the upload with its metadata stripped (or as it came)
    thumbnail: bytes | None


def examine(data: bytes, content_type: str, *, strip: bool, max_pixels: int,
            edge: int = THUMB_EDGE, square: bool = False) -> ImageFacts:
    """Runs in a worker thread. Raises BadImage for anything unusable.
    `square`: the thumbnail is cropped to edge x edge (avatars)."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise BadImage(f"The image has {width}x{height} pixels; at most {max_pixels:,} are accepted.",
                                   "image_too_large")
                orientation = im.getexif().get(0x0112, 1) if content_type == "image/jpeg" else 1
                if orientation not in range(1, 9):
                    orientation = 1
                if content_type == "image/jpeg":
                    im.draft("RGB", (edge * 2, edge * 2))  # decode at a fraction of full size
                im.load()  # the whole file: a truncated or corrupt one fails here
                thumb = ImageOps.exif_transpose(im.convert("RGBA" if _has_alpha(im) else "RGB"))
                if square:
                    thumb = ImageOps.fit(thumb, (edge, edge))
                else:
                    thumb.thumbnail((edge, edge))
                out = io.BytesIO()
                thumb.save(out, "WEBP", quality=80, method=4)
        except BadImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadImage(f"The image is too large to open safely (at most {max_pixels:,} pixels).",
                           "image_too_large") from None
        except (OSError, SyntaxError, ValueError, EOFError, struct_error()) as err:
            raise BadImage(f"The image is damaged or incomplete ({type(err).__name__}).", "image_corrupt") from None
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    stored = data
    if strip:
        try:
            stored = metadata.strip(data, content_type, orientation=orientation)
        except metadata.NotParsable as err:
            raise BadImage(f"The image is damaged ({err}).", "image_corrupt") from None
    return ImageFacts(width=width, height=height, data=stored, thumbnail=out.getvalue())


def warm_up() -> None:
    """Loads everything examine() could need, before the decoder process
    filters its system calls (syscall_filter.py): after that nothing more
    can be opened, so every codec plugin, the EXIF and WebP code and the
    metadata strippers must already be in memory. One small image of each
    processed type goes the whole way through examine()."""
    from PIL import Image

    Image.init()  # every format plugin, not only the few Image.open tries first
    samples = []
    for kind, mode, extra in (("JPEG", "RGB", {}), ("PNG", "RGBA", {}), ("WEBP", "RGBA", {}),
                              ("BMP", "RGB", {}), ("GIF", "P", {"transparency": 0})):
        picture, out = Image.new(mode, (8, 6)), io.BytesIO()
        if kind == "JPEG":
            exif = Image.Exif()
            exif[0x0112] = 6
            extra = {"exif": exif.tobytes()}
        picture.save(out, kind, **extra)
        samples.append((out.getvalue(), f"image/{kind.lower()}"))
    frames, out = [Image.new("P", (8, 6), i) for i in range(2)], io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])  # animated
    samples.append((out.getvalue(), "image/gif"))
    for data, content_type in samples:
        examine(data, content_type, strip=True, max_pixels=10_000)
        examine(data, content_type, strip=False, max_pixels=10_000, square=True)
    for broken in (samples[0][0][:40], samples[1][0][:40]):  # the error paths' imports too
        try:
            examine(broken, "image/jpeg", strip=True, max_pixels=10_000)
        except BadImage:
            pass


def _has_alpha(im) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)


def struct_error() -> type[Exception]:
    import struct

    return struct.error
