/* The model's parameter checks built with RP_XMODEL_NO_MESSAGES (MCU
 * builds: no stdio): the same accept/reject decisions, and an empty
 * message. */
#include <string.h>

#include <CppUTest/TestHarness.h>

extern "C" {
#include "rramprof/rp_xmodel.h"
}

TEST_GROUP(XmodelNoMessages){};

TEST(XmodelNoMessages, ValidatesWithoutText)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    char err[64];
    memset(err, 'x', sizeof err);
    LONGS_EQUAL(RP_OK, rp_xmodel_params_validate(&p, err, sizeof err));

    p.c2c_sigma = -1.0;
    LONGS_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_EQUAL("", err);

    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.adcs_per_tile = p.cols + 1;
    LONGS_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));

    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.tiles = 0;
    LONGS_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
}
