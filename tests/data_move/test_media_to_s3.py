"""migrate-data --media-to s3://...: attachment bytes go to the bucket,
each copy read back and checked (sha256), and the moved deployment serves
the same bytes from S3."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.data_move.helpers import migrate_data, write_config
from tests.data_move.seed import export, seed


def test_media_folder_to_s3(tmp_path: Path, s3_media_url: str) -> None:
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    tokens = asyncio.run(seed(cfg, messages=2))
    done = migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db", "--media-to", s3_media_url)
    assert done.returncode == 0, done.stderr
    assert "media: copied 1 blob(s)" in done.stdout and "verified (sha256)" in done.stdout
    assert f'media = "{s3_media_url}"' in done.stdout
    moved = write_config(tmp_path / "b.toml", f"sqlite:///{tmp_path}/b.db", media=s3_media_url)
    for blob in (tmp_path / "media").rglob("*"):  # served from the bucket, not the folder
        if blob.is_file():
            blob.rename(blob.with_suffix(".away"))
    after = asyncio.run(export(moved, tokens))
    assert after["attachment"] == (200, b"attachment bytes \x00\x01" * 100)
