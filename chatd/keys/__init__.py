"""The keys chatd uses (password pepper, TOTP sealing key, media master
key) behind one port (ring.py), kept in this process (local.py) or in a
separate key process reached over a Unix socket (serve.py, client.py)."""
