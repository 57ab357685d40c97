"""The image decoder's system-call filter (seccomp, ASVS 14.2.6).

decode_worker.py installs it on itself once Pillow and every codec it
uses are loaded and before the first untrusted byte is read. From then on
the process may only compute on memory and talk on the pipes it already
holds: no open, no socket, no exec, no new process or thread, no ptrace,
no executable memory. A decoder exploit is left with stdin, stdout and the
log, which it could reach anyway.

Hand-built classic BPF through ctypes and prctl: Python has no seccomp
module, and PyPI's bindings (pyseccomp, last release 2021) need
libseccomp's shared library at run time; forty lines of BPF need neither.

The filter, in order:
  1. the architecture in seccomp_data must be the one whose table built
     it, else kill: a wrong table can never pass, and on x86_64 this also
     catches 32-bit `int 0x80` calls, which carry another architecture;
  2. on x86_64, x32 numbers (bit 30) kill for the same reason;
  3. mmap/mprotect asking for PROT_EXEC get EPERM (nothing new to run);
  4. the allow-list passes; everything else gets EPERM.
EPERM rather than kill for what is merely not allowed: Python turns it
into an exception the worker answers as a refused image (and a test can
see), whereas a kill looks like a crash. Kill is kept for the two cases
no honest Python ever makes (a foreign ABI), which only shellcode would.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform

# The allow-list, found by tracing the worker (strace -f) over every kind
# of image the media tests decode (JPEG, PNG, GIF, animated GIF, WebP, BMP,
# a corrupt file, a bomb, one past the memory cap) after the filter point.
# Decoding itself needs only brk/mmap/munmap, read/write on its pipes,
# pselect6 and clock_gettime (process_time); the rest are what Python or
# glibc may ask on a path the images did not take (a larger allocation, a
# signal, a lock, an exit). Left out on purpose: fstat/newfstatat/lseek
# (nothing needs them after the imports, and a stat would tell an exploit
# which files exist), kill/tgkill (they could signal the server), and
# every call that makes a descriptor, a process or a mapping of a file.
ALLOWED = (
    "read", "write", "close",  # only fds 0-2 exist: its pipes and the log
    "mmap", "munmap", "mremap", "brk", "madvise", "mprotect",  # malloc; PROT_EXEC refused below
    "futex", "sched_yield", "clock_gettime", "getrandom",
    "select", "pselect6",  # the idle wait on stdin (glibc >= 2.36 and aarch64 use pselect6)
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
    "exit", "exit_group",
)
# name -> number. x86_64: asm/unistd_64.h; aarch64 (the Raspberry Pi's):
# asm-generic/unistd.h, which has no select. With the AUDIT_ARCH_* value
# the kernel puts in seccomp_data.arch.
TABLES = {
    "x86_64": (0xC000003E, {
        "read": 0, "write": 1, "close": 3, "mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12,
        "rt_sigaction": 13, "rt_sigprocmask": 14, "rt_sigreturn": 15, "select": 23, "sched_yield": 24,
        "mremap": 25, "madvise": 28, "exit": 60, "futex": 202, "clock_gettime": 228, "exit_group": 231,
        "pselect6": 270, "getrandom": 318,
    }),
    "aarch64": (0xC00000B7, {
        "read": 63, "write": 64, "close": 57, "mmap": 222, "mprotect": 226, "munmap": 215, "brk": 214,
        "rt_sigaction": 134, "rt_sigprocmask": 135, "rt_sigreturn": 139, "sched_yield": 124,
        "mremap": 216, "madvise": 233, "exit": 93, "futex": 98, "clock_gettime": 113, "exit_group": 94,
        "pselect6": 72, "getrandom": 278,
    }),
}
EXEC_CHECKED = ("mmap", "mprotect")
X32_BIT = 0x40000000
PROT_EXEC = 0x4

# Classic BPF and seccomp constants (linux/filter.h, linux/seccomp.h, linux/prctl.h).
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, KILL_PROCESS, ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
DENY = ERRNO | errno.EPERM
OFF_NR, OFF_ARCH, OFF_ARG2_LOW = 0, 4, 16 + 2 * 8  # struct seccomp_data; args are u64, little-endian
PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, SECCOMP_MODE_FILTER = 22, 38, 2


class Unfiltered(Exception):
    """The filter could not be installed; the reason says why."""


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """(code, jt, jf, k) for `machine`; Unfiltered when it has no table."""
    if machine not in TABLES:
        raise Unfiltered(f"no system-call table for {machine}")
    arch, numbers = TABLES[machine]
    # Jumps name a label; resolved to forward offsets once the length is known.
    body: list[tuple[int, object, object, int]] = [(LD_W_ABS, 0, 0, OFF_ARCH), (JEQ, 0, "kill", arch),
                                                   (LD_W_ABS, 0, 0, OFF_NR)]
    if machine == "x86_64":
        body.append((JGE, "kill", 0, X32_BIT))
    body += [(JEQ, "exec", 0, numbers[name]) for name in EXEC_CHECKED]
    body += [(JEQ, "allow", 0, numbers[name]) for name in ALLOWED if name not in EXEC_CHECKED and name in numbers]
    body.append((RET, 0, 0, DENY))  # not on the list
    # BPF jumps only forward: the targets come last.
    labels = {"exec": len(body), "allow": len(body) + 2, "kill": len(body) + 3, "deny": len(body) + 4}
    body += [(LD_W_ABS, 0, 0, OFF_ARG2_LOW), (JSET, "deny", "allow", PROT_EXEC),
             (RET, 0, 0, ALLOW), (RET, 0, 0, KILL_PROCESS), (RET, 0, 0, DENY)]

    def jump(at: int, target: object) -> int:
        return target if isinstance(target, int) else labels[target] - at - 1

    return [(code, jump(at, jt), jump(at, jf), k) for at, (code, jt, jf, k) in enumerate(body)]


def install() -> None:
    """Filters this process (and anything it could still start) for good.
    Single-threaded callers only: prctl filters the calling thread."""
    insns = program(platform.machine())
    array = (_Insn * len(insns))(*[_Insn(*insn) for insn in insns])
    prog = _Prog(len(insns), array)
    libc = ctypes.CDLL(None, use_errno=True)
    # No new privileges: required for an unprivileged filter, and a setuid
    # binary could not be used to shed it (there is no exec anyway).
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise Unfiltered(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise Unfiltered(f"the kernel refused the seccomp filter: {os.strerror(ctypes.get_errno())}")
