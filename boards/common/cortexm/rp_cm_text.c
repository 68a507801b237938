#include "rp_cm_text.h"

const char *rp_cm_u32_text(char buf[RP_CM_U32_TEXT], uint32_t v)
{
    unsigned n = RP_CM_U32_TEXT - 1u;
    buf[n] = '\0';
    do {
        buf[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    return &buf[n];
}
