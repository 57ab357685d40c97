"""The rules of the chat: who may do what, sequencing, idempotency, versions.

Pure Python over the storage ports; no SQL, no HTTP. `Services` is built once
per process from the stores and the config.
"""
