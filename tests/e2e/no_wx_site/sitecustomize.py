"""Put on PYTHONPATH, this runs before any other module of the process and
installs the seccomp filter systemd 252 installs for MemoryDenyWriteExecute=
(src/shared/seccomp-util.c, seccomp_memory_deny_write_execute): EPERM for an
mmap both writable and executable, an mprotect or pkey_mprotect that adds
execute, a shmat with SHM_EXEC. Children inherit it across fork and exec,
as a service's processes do (libseccomp sets no_new_privs first)."""

import ctypes
import errno
import mmap

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000 | errno.EPERM
SCMP_CMP_MASKED_EQ = 7
SHM_EXEC = 0o100000


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def install() -> None:
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    write_exec = mmap.PROT_WRITE | mmap.PROT_EXEC
    rules = [("mmap", 2, write_exec), ("mprotect", 2, mmap.PROT_EXEC), ("pkey_mprotect", 2, mmap.PROT_EXEC),
             ("shmat", 2, SHM_EXEC)]
    for name, arg, mask in rules:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        cmp = ArgCmp(arg, SCMP_CMP_MASKED_EQ, mask, mask)
        if lib.seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO, number, 1, ctypes.byref(cmp)) != 0:
            raise OSError(f"seccomp rule for {name} refused")
    if lib.seccomp_load(ctx) != 0:
        raise OSError("seccomp filter not loaded")


install()
