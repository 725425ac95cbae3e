/* SPDX-License-Identifier: Apache-2.0 */
/* config.toml: ur_config_parse. */
#include "config/config.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = fuzz_strndup(data, size);
        struct ur_config *cfg = NULL;
        struct ur_err *err = NULL;

        if (ur_config_parse(text, "config.toml", &cfg, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(!cfg);
                ur_err_free(&err);
                return 0;
        }
        FUZZ_CHECK(cfg);
        /* Every known monitor has its settings, defaults or not. */
        FUZZ_CHECK(ur_config_monitor(cfg, "qemu"));
        FUZZ_CHECK(ur_config_monitor(cfg, "qemu")->default_memory_mib >= 1);
        FUZZ_CHECK(cfg->runtime.timeout_sec >= 1);
        ur_config_free(cfg);
        return 0;
}
