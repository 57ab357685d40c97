"""Malware scanners for uploads (ports/scanner.py): command.py, clamd.py;
choose.py picks one from [media]."""
