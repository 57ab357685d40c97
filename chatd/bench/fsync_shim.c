/* chatd bench, slow-disk scenario: an LD_PRELOAD shim for the server
 * process only. It makes fsync and fdatasync sleep for a delay before the
 * real call (an SD card's 1-5 ms), and counts the calls, those on a
 * SQLite WAL ("-wal") file apart: one WAL sync is one commit.
 *
 * Control is a small file named by CHATD_BENCH_FSYNC_CTL, mapped shared:
 * int64 slots [delay_us, fsync calls, fdatasync calls, WAL syncs,
 * microseconds slept]. The bench sets the delay and reads the counts while
 * the server runs. Built by chatd/bench/slow_disk.py with the system cc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile int64_t *ctl;
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

__attribute__((constructor)) static void shim_init(void) {
    real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    const char *path = getenv("CHATD_BENCH_FSYNC_CTL");
    if (path == NULL) return;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    void *map = mmap(NULL, 5 * sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map != MAP_FAILED) ctl = map;
}

static int is_wal(int fd) {
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    return n > 4 && memcmp(target + n - 4, "-wal", 4) == 0;
}

static void slow(int fd, int slot) {
    if (ctl == NULL) return;
    __atomic_fetch_add(&ctl[slot], 1, __ATOMIC_RELAXED);
    if (is_wal(fd)) __atomic_fetch_add(&ctl[3], 1, __ATOMIC_RELAXED);
    int64_t us = ctl[0];
    if (us > 0) {
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
        __atomic_fetch_add(&ctl[4], us, __ATOMIC_RELAXED);
    }
}

int fsync(int fd) {
    slow(fd, 1);
    return real_fsync(fd);
}

int fdatasync(int fd) {
    slow(fd, 2);
    return real_fdatasync(fd);
}
