/* Numbers as text for the report lines of the -bench and -selftest images
 * (the firmware has no stdio). */
#ifndef RP_CM_TEXT_H
#define RP_CM_TEXT_H

#include <stdint.h>

/* Room for any uint32_t in decimal and its terminator. */
#define RP_CM_U32_TEXT 11u

/* Writes v in decimal at the end of buf, terminated, and returns its first
 * digit. */
const char *rp_cm_u32_text(char buf[RP_CM_U32_TEXT], uint32_t v);

#endif
