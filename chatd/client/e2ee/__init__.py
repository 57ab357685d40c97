"""End-to-end encryption for chatd.client, in the wire format of docs/e2ee.md
(PyNaCl; the web UI writes the same bytes with tweetnacl).

- device: key pairs and their signed records; keyfile: them on disk (0600)
- envelope: seal/open messages; attachments: chunked file encryption
- safety: safety numbers; trust: the ones seen per contact
- backup: passphrase-encrypted key backups (Argon2id, reads PBKDF2 too)
- session.E2ee: all of it for one account on top of a Client
"""

from chatd.client.e2ee.backup import WrongPassphrase
from chatd.client.e2ee.codec import Undecryptable
from chatd.client.e2ee.device import Device
from chatd.client.e2ee.session import E2ee, Readable

__all__ = ["Device", "E2ee", "Readable", "Undecryptable", "WrongPassphrase"]
