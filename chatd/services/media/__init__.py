"""Attachments and avatars: upload, download, thumbnails, lifecycle.

One home for the media capability: `service.py` holds the rules (who may
upload, read, bind), the small modules beside it one step each (sniffing a
type, cleaning a filename, processing an image, streaming an upload)."""
