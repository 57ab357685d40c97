"""The small pure parts of media: filenames, sniffing, ranges, keys, metadata."""

from __future__ import annotations

import pytest

from chatd.api.byte_ranges import Unsatisfiable, parse_range
from chatd.services.media import keys, metadata
from chatd.services.media.disposition import content_disposition, served_type
from chatd.services.media.filenames import MAX_CHARS, clean_filename
from chatd.services.media.sniff import sniff
from tests.media import samples


@pytest.mark.parametrize("raw, clean", [
    ("photo.jpg", "photo.jpg"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\cv.pdf", "cv.pdf"),
    ("a\x00b\x07c\nd.txt", "abcd.txt"),
    ("\u202egpj.exe", "gpj.exe"),
    ("...hidden", "hidden"),
    ("  spaced   out  .txt ", "spaced out .txt"),
    ('what?"<>|*.txt', "what______.txt"),
    ("", "file"),
    (None, "file"),
    ("\x01\x02", "file"),
])
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_long_filename_keeps_its_extension():
    name = clean_filename("x" * 500 + ".tar.gz")
    assert len(name) == MAX_CHARS and name.endswith(".gz")


@pytest.mark.parametrize("head, kind", [
    (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"),
    (b"GIF89a...", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  ", "video/quicktime"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm", "video/webm"),
    (b"OggS\x00\x02", "audio/ogg"),
    (b"ID3\x04\x00", "audio/mpeg"),
    (b"<!DOCTYPE html><html>", "text/html"),
    (b"\xef\xbb\xbf  <html><script>alert(1)</script>", "text/html"),
    (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>", "image/svg+xml"),
    (b"<svg onload=alert(1)>", "image/svg+xml"),
    (b"just some notes\nline two", "text/plain"),
    ("gr\u00fc\u00dfe".encode(), "text/plain"),
    (b"\x00\x01\x02binary", "application/octet-stream"),
    (b"", "text/plain"),
])
def test_sniff(head, kind):
    assert sniff(head) == kind


def test_markup_is_never_served_as_markup():
    for kind in ("text/html", "image/svg+xml", "text/xml"):
        assert served_type(kind) == "application/octet-stream"
        assert content_disposition("x", kind).startswith("attachment;")
    assert content_disposition("a.png", "image/png").startswith("inline;")
    assert content_disposition("a.png", "image/png", force_download=True).startswith("attachment;")


@pytest.mark.parametrize("header, size, expected", [
    (None, 10, None), ("bytes=0-0", 10, (0, 1)), ("bytes=2-", 10, (2, 10)), ("bytes=-3", 10, (7, 10)),
    ("bytes=-30", 10, (0, 10)), ("bytes=5-100", 10, (5, 10)), ("items=0-1", 10, None), ("bytes=x-1", 10, None),
    ("bytes=1-2,4-5", 10, None), ("bytes=", 10, None),
])
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header, size", [("bytes=10-", 10), ("bytes=5-2", 10), ("bytes=-0", 10), ("bytes=0-", 0)])
def test_unsatisfiable_ranges(header, size):
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


def test_keys_come_from_ids_only():
    key = keys.attachment_key("01ABCDEFGHJKMNPQRSTVWXYZ12", sealed=False)
    assert key == "att/12/01ABCDEFGHJKMNPQRSTVWXYZ12"
    sealed = keys.attachment_key("01ABCDEFGHJKMNPQRSTVWXYZ12", sealed=True)
    assert keys.is_sealed(sealed) and keys.is_sealed(keys.thumbnail_key(sealed))
    assert keys.thumbnail_key(key) == key + ".thumb"
    assert keys.id_of(keys.thumbnail_key(sealed)) == "01ABCDEFGHJKMNPQRSTVWXYZ12"


def test_jpeg_metadata_stripped_without_reencoding():
    original = samples.jpeg_with_gps(orientation=6)
    assert samples.gps_of(original)
    stripped = metadata.strip(original, "image/jpeg", orientation=6)
    assert samples.gps_of(stripped) == {}
    assert samples.exif_of(stripped) == {0x0112: 6}  # only the orientation is left
    assert b"SecretCam" in original and b"SecretCam" not in stripped
    # The image data after the start of scan is byte for byte the same.
    assert original[original.index(b"\xff\xda"):] == stripped[stripped.index(b"\xff\xda"):]


def test_png_text_stripped():
    original = samples.png(text="my home address")
    stripped = metadata.strip(original, "image/png")
    assert b"my home address" in original and b"my home address" not in stripped
    from PIL import Image
    import io

    assert Image.open(io.BytesIO(stripped)).size == (40, 30)


def test_broken_structure_is_refused():
    with pytest.raises(metadata.NotParsable):
        metadata.strip(b"\xff\xd8\xff\xe1\xff\xff", "image/jpeg")
    with pytest.raises(metadata.NotParsable):
        metadata.strip(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "image/png")


def test_media_urls():
    from chatd.config import ConfigError, parse
    from chatd.storage.blobs.choose import media_key, open_blob_store, parse_s3_url

    def store(url):
        return open_blob_store(parse({"storage": {"media": url}}, {})).description

    assert store("file:///./data/media") == "folder data/media"  # relative to where chatd starts
    assert store("file:////srv/chatd/media") == "folder /srv/chatd/media"
    loc = parse_s3_url("s3://AKIA:se%2Fcr%40et@s3.example.org:9000/chat-files")
    assert (loc.endpoint, loc.access_key, loc.secret_key, loc.bucket) == (
        "s3.example.org:9000", "AKIA", "se/cr@et", "chat-files")
    with pytest.raises(ConfigError) as err:
        parse_s3_url("s3://s3.example.org/bucket")
    assert "key:secret@" in str(err.value)
    with pytest.raises(ConfigError):
        parse({"storage": {"media": "ftp://x"}}, {})
    assert media_key(parse({}, {})) is None
    with pytest.raises(ConfigError) as err:
        media_key(parse({"media": {"encryption_key": "c2hvcnQ="}}, {}))
    assert "chatd media keygen" in str(err.value) and "c2hvcnQ" not in str(err.value)
    assert len(media_key(parse({"media": {"encryption_key": "A" * 43 + "="}}, {}))) == 32
