/* Writes all n bytes of p to fd, for the small device stand-ins that speak
 * on stdout (frame_cut.c, reset_device.c). Returns 0, or -1 when the
 * descriptor fails or closes. */
#ifndef RP_TEST_WRITE_ALL_H
#define RP_TEST_WRITE_ALL_H

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

static inline int rp_test_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

#endif
