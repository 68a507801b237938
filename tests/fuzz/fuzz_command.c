/* libFuzzer target: the firmware's Command parser.
 *
 * Beyond "no crash, no sanitizer report": a rejected input must leave the
 * output all zero with RP_ERR_MALFORMED; an accepted one must survive
 * encode (the host's protobuf-c encoder) -> parse unchanged, and where
 * protobuf-c accepts the input too, it must read the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_status.h"
#include "unit/command_check.h"

#define PRV_REQUIRE(cond) \
    do { \
        if (!(cond)) { \
            abort(); \
        } \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void prv_check_protobuf_c(const uint8_t *data, size_t size, const rp_command_t *c)
{
    Rramprof__V1__Command *d = rramprof__v1__command__unpack(NULL, size, data);
    if (d != NULL && !rp_test_command_repeats_a_message(data, size, c->kind)) {
        PRV_REQUIRE(rp_test_command_differs(d, c) == NULL);
    }
    rramprof__v1__command__free_unpacked(d, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rp_command_t zero;
    rp_command_t cmd;
    memset(&cmd, 0xA5, sizeof(cmd));
    int rc = rp_command_parse(data, size, &cmd);
    if (rc != RP_OK) {
        PRV_REQUIRE(rc == RP_ERR_MALFORMED);
        PRV_REQUIRE(memcmp(&cmd, &zero, sizeof(cmd)) == 0);
        return 0;
    }
    PRV_REQUIRE(cmd.kind >= RP_CMD_GET_INFO && cmd.kind <= RP_CMD_PING);
    PRV_REQUIRE(memchr(cmd.workload, 0, sizeof(cmd.workload)) != NULL);
    prv_check_protobuf_c(data, size, &cmd);

    uint8_t buf[RP_COMMAND_MAX_PAYLOAD];
    size_t n = rp_command_encode(&cmd, buf, sizeof(buf));
    PRV_REQUIRE(n > 0);
    rp_command_t again;
    PRV_REQUIRE(rp_command_parse(buf, n, &again) == RP_OK);
    PRV_REQUIRE(memcmp(&cmd, &again, sizeof(cmd)) == 0);
    return 0;
}
