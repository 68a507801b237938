/* Cross-checks of the device's command parser against protobuf-c, shared
 * by the unit suite (test_command.cpp) and the fuzz target
 * (fuzz_command.c). */
#ifndef RP_TEST_COMMAND_CHECK_H
#define RP_TEST_COMMAND_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"

#ifdef __cplusplus
extern "C" {
#endif

/* True if data, a Command the parser accepted as `kind`, repeats a message
 * field: its body, or Start.workload. protobuf-c 1.4 keeps only the last
 * copy of those, where protobuf (and the parser) merge the copies, so it
 * is no reference for such inputs. */
bool rp_test_command_repeats_a_message(const uint8_t *data, size_t size, rp_command_kind_t kind);

/* NULL if protobuf-c's decoding d holds the values the parser put in c
 * (members of a body that is not there must be 0); else the name of the
 * first member that differs. */
const char *rp_test_command_differs(const Rramprof__V1__Command *d, const rp_command_t *c);

#ifdef __cplusplus
}
#endif

#endif
