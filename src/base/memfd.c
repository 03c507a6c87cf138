/*
 * memfd.c — bytes in a sealed memory file (see memfd.h).
 */
#include "base/memfd.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int sealed_memfd(const char *name, const void *bytes, size_t len) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    const char *p = bytes;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if (fcntl(fd, F_ADD_SEALS, SEALED_MEMFD_SEALS) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}
