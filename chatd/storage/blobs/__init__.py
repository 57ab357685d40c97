"""Blob stores (port: storage/ports/blobs.py), one module per technology:
`folder` (a directory under data_dir, the default) and `s3` (any
S3-compatible object store through the minio package). `sealed` wraps either
to encrypt at rest. `open_blob_store` is the one place that picks them."""
