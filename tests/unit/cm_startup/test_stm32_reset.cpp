// rp_stm32_reset_cause_of: RCC_CSR's reset flags to the Hello's cause, with
// the flags set together as the STM32F4 reference manuals describe.
#include <CppUTest/TestHarness.h>

extern "C" {
#include "stm32f4/rp_stm32f4.h"
}

TEST_GROUP(stm32_reset){};

TEST(stm32_reset, the_most_specific_flag_names_the_cause)
{
    const uint32_t pin = RP_STM32_CSR_PINRSTF;   // every reset drives NRST
    LONGS_EQUAL(RP_RESET_UNKNOWN, rp_stm32_reset_cause_of(0u));   // QEMU: no RCC
    LONGS_EQUAL(RP_RESET_PIN, rp_stm32_reset_cause_of(pin));
    LONGS_EQUAL(RP_RESET_POWER_ON,
                rp_stm32_reset_cause_of(RP_STM32_CSR_PORRSTF | RP_STM32_CSR_BORRSTF | pin));
    LONGS_EQUAL(RP_RESET_BROWN_OUT, rp_stm32_reset_cause_of(RP_STM32_CSR_BORRSTF | pin));
    LONGS_EQUAL(RP_RESET_SOFTWARE, rp_stm32_reset_cause_of(RP_STM32_CSR_SFTRSTF | pin));
    LONGS_EQUAL(RP_RESET_WATCHDOG, rp_stm32_reset_cause_of(RP_STM32_CSR_IWDGRSTF | pin));
    LONGS_EQUAL(RP_RESET_WATCHDOG, rp_stm32_reset_cause_of(RP_STM32_CSR_WWDGRSTF | pin));
    LONGS_EQUAL(RP_RESET_LOW_POWER, rp_stm32_reset_cause_of(RP_STM32_CSR_LPWRRSTF | pin));
    // Flags a firmware before this one never cleared pile up: the order
    // above decides.
    LONGS_EQUAL(RP_RESET_SOFTWARE, rp_stm32_reset_cause_of(RP_STM32_CSR_SFTRSTF | RP_STM32_CSR_PORRSTF |
                                                           RP_STM32_CSR_BORRSTF | pin));
    // The other bits of the register (LSION, LSIRDY, RMVF) say nothing.
    LONGS_EQUAL(RP_RESET_PIN, rp_stm32_reset_cause_of(pin | RP_STM32_CSR_RMVF | 3u));
}
