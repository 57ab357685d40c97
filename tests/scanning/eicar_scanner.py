#!/usr/bin/env python3
"""A real scanner program for the tests, in clamdscan's convention: reads
the upload on stdin, prints "stream: OK" and exits 0, or prints "stream:
Eicar-Test-Signature FOUND" and exits 1 when the EICAR test string is in it.

Flags make it misbehave the ways a real scanner can:
  --record FILE   write "<bytes read> <sha256>" there (what it was given)
  --crash         read a little, print an error, exit 2 (clamdscan: error)
  --quit-early    exit 0 after the first bytes without reading the rest
  --hang          read everything, then never answer
  --stall         never read stdin at all
  --slow SECONDS  take this long per scan; --intervals DIR records start/end
  --pidfile FILE  write its pid there
"""

import argparse
import hashlib
import os
import sys
import time

EICAR = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"

p = argparse.ArgumentParser()
p.add_argument("--record")
p.add_argument("--crash", action="store_true")
p.add_argument("--quit-early", action="store_true")
p.add_argument("--hang", action="store_true")
p.add_argument("--stall", action="store_true")
p.add_argument("--slow", type=float, default=0)
p.add_argument("--intervals")
p.add_argument("--pidfile")
args = p.parse_args()
if args.pidfile:
    with open(args.pidfile, "w") as f:
        f.write(str(os.getpid()))
started = time.time()
if args.stall:
    time.sleep(3600)
stdin = sys.stdin.buffer
if args.crash or args.quit_early:
    stdin.read(1000)
    if args.crash:
        print("ERROR: scanner engine crashed", flush=True)
        sys.exit(2)
    print("stream: OK", flush=True)
    sys.exit(0)
digest, size, found, tail = hashlib.sha256(), 0, False, b""
while chunk := stdin.read(65536):
    digest.update(chunk)
    size += len(chunk)
    found = found or EICAR in tail + chunk  # also across two reads
    tail = chunk[-len(EICAR):]
if args.record:
    with open(args.record, "w") as f:
        f.write(f"{size} {digest.hexdigest()}")
if args.slow:
    time.sleep(args.slow)
if args.intervals:
    with open(os.path.join(args.intervals, str(os.getpid())), "w") as f:
        f.write(f"{started} {time.time()}")
if args.hang:
    time.sleep(3600)
print("stream: Eicar-Test-Signature FOUND" if found else "stream: OK", flush=True)
sys.exit(1 if found else 0)
