/* Error codes shared by every rramprof C module.
 *
 * Functions return 0 (RP_OK) on success and a negative rp_err_t on failure;
 * rp_err_str() gives a short English description for messages. */
#ifndef RP_STATUS_H
#define RP_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rp_err {
    RP_OK = 0,
    RP_ERR_ARG = -1,        /* invalid argument */
    RP_ERR_RANGE = -2,      /* index or region outside the array */
    RP_ERR_NOSPACE = -3,    /* output buffer or ring too small */
    RP_ERR_MALFORMED = -4,  /* input bytes do not parse */
    RP_ERR_CRC = -5,        /* checksum mismatch */
    RP_ERR_HAL = -6,        /* the board HAL reported a failure */
    RP_ERR_STATE = -7,      /* not allowed in the current state */
    RP_ERR_NOT_FOUND = -8,  /* unknown name */
    RP_ERR_IO = -9,         /* operating-system I/O error (host only) */
    RP_ERR_TIMEOUT = -10,   /* no answer in time (host only) */
    RP_ERR_UNSUPPORTED = -11
} rp_err_t;

/* Static string, never NULL. */
const char *rp_err_str(int err);

#ifdef __cplusplus
}
#endif
#endif
