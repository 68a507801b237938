/* rp_xmodel_create_in: the crossbar model in caller memory (no heap), as
 * boards/common/xbar/rp_cm_xbar.c uses it on MCUs. It must behave exactly
 * like the heap model. */
#include <stdint.h>
#include <string.h>

#include <vector>

#include <CppUTest/TestHarness.h>

extern "C" {
#include "rramprof/rp_xmodel.h"
}

namespace {

rp_xmodel_params_t small_params()
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.tiles = 1;
    p.rows = 16;
    p.cols = 16;
    p.adcs_per_tile = 2;
    p.write_parallel_cols = 8;
    return p;
}

/* 8-byte aligned storage of n bytes. */
struct Arena {
    std::vector<uint64_t> words;
    explicit Arena(size_t n) : words((n + 7) / 8 + 1) {}
    void *mem() { return words.data(); }
};

} // namespace

TEST_GROUP(XmodelMem){};

TEST(XmodelMem, SizeIsZeroForInvalidParams)
{
    rp_xmodel_params_t p = small_params();
    CHECK(rp_xmodel_mem_size(&p) > sizeof(uint64_t) * 16 * 16);
    p.rows = 0;
    UNSIGNED_LONGS_EQUAL(0, rp_xmodel_mem_size(&p));
}

TEST(XmodelMem, TooSmallOrMisalignedIsRefused)
{
    rp_xmodel_params_t p = small_params();
    size_t need = rp_xmodel_mem_size(&p);
    Arena a(need);
    rp_xmodel_t *m = (rp_xmodel_t *)&a;
    LONGS_EQUAL(RP_ERR_NOSPACE, rp_xmodel_create_in(&p, 1, a.mem(), need - 1, &m, NULL, 0));
    POINTERS_EQUAL(NULL, m);
    LONGS_EQUAL(RP_ERR_ARG,
                rp_xmodel_create_in(&p, 1, (uint8_t *)a.mem() + 4, need, &m, NULL, 0));
    LONGS_EQUAL(RP_ERR_ARG, rp_xmodel_create_in(&p, 1, NULL, need, &m, NULL, 0));
    p.cols = 0;
    LONGS_EQUAL(RP_ERR_ARG, rp_xmodel_create_in(&p, 1, a.mem(), need, &m, NULL, 0));
}

TEST(XmodelMem, BehavesLikeTheHeapModel)
{
    rp_xmodel_params_t p = small_params();
    size_t need = rp_xmodel_mem_size(&p);
    Arena a(need);
    /* Dirty memory: create_in must clear what it uses. */
    memset(a.mem(), 0xA5, need);
    rp_xmodel_t *mm = NULL;
    rp_xmodel_t *hm = NULL;
    LONGS_EQUAL(RP_OK, rp_xmodel_create_in(&p, 42, a.mem(), need, &mm, NULL, 0));
    LONGS_EQUAL(RP_OK, rp_xmodel_create(&p, 42, &hm, NULL, 0));

    uint8_t targets[16], mask[16], pend_m[16], pend_h[16], lv_m[16], lv_h[16];
    for (int i = 0; i < 16; i++) {
        targets[i] = (uint8_t)(i % 8);
        mask[i] = 1;
    }
    for (uint32_t row = 0; row < 16; row++) {
        for (uint32_t step = 0; step < 4; step++) {
            uint64_t dm = 0, dh = 0;
            LONGS_EQUAL(RP_OK, rp_xmodel_write_pulse(mm, 0, row, 0, 16, targets, mask, step, &dm));
            LONGS_EQUAL(RP_OK, rp_xmodel_write_pulse(hm, 0, row, 0, 16, targets, mask, step, &dh));
            CHECK(dm > 0);
            UNSIGNED_LONGS_EQUAL(dh, dm);
            uint16_t pm = 0, ph = 0;
            LONGS_EQUAL(RP_OK, rp_xmodel_verify(mm, 0, row, 0, 16, targets, pend_m, &pm, &dm));
            LONGS_EQUAL(RP_OK, rp_xmodel_verify(hm, 0, row, 0, 16, targets, pend_h, &ph, &dh));
            UNSIGNED_LONGS_EQUAL(ph, pm);
            MEMCMP_EQUAL(pend_h, pend_m, sizeof pend_m);
        }
        LONGS_EQUAL(RP_OK, rp_xmodel_read(mm, 0, row, 0, 16, lv_m, NULL));
        LONGS_EQUAL(RP_OK, rp_xmodel_read(hm, 0, row, 0, 16, lv_h, NULL));
        MEMCMP_EQUAL(lv_h, lv_m, sizeof lv_m);
    }
    int8_t x[16];
    for (int i = 0; i < 16; i++) {
        x[i] = (int8_t)((i % 7) - 3);
    }
    int32_t ym[16], yh[16];
    LONGS_EQUAL(RP_OK, rp_xmodel_load_inputs(mm, 0, 0, 16, x, NULL));
    LONGS_EQUAL(RP_OK, rp_xmodel_load_inputs(hm, 0, 0, 16, x, NULL));
    LONGS_EQUAL(RP_OK, rp_xmodel_mvm(mm, 0, 0, 16, 0, 16, NULL));
    LONGS_EQUAL(RP_OK, rp_xmodel_mvm(hm, 0, 0, 16, 0, 16, NULL));
    LONGS_EQUAL(RP_OK, rp_xmodel_fetch_outputs(mm, 0, 0, 16, ym, NULL));
    LONGS_EQUAL(RP_OK, rp_xmodel_fetch_outputs(hm, 0, 0, 16, yh, NULL));
    MEMCMP_EQUAL(yh, ym, sizeof ym);

    /* Freeing nothing, so the arena is still the caller's afterwards. */
    rp_xmodel_destroy(mm);
    rp_xmodel_destroy(hm);
}
