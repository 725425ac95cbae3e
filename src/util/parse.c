/* SPDX-License-Identifier: Apache-2.0 */
#include "util/parse.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

int ur_parse_bool(const char *s, enum ur_bool_form form, bool *ret)
{
        static const struct {
                const char *word;
                bool value;
                enum ur_bool_form form; /* the first form that takes it */
                bool any_case;
        } words[] = {
                {"true", true, UR_BOOL_STRICT, false}, {"false", false, UR_BOOL_STRICT, false},
                {"true", true, UR_BOOL_NUMERIC, true}, {"false", false, UR_BOOL_NUMERIC, true},
                {"1", true, UR_BOOL_NUMERIC, false},   {"0", false, UR_BOOL_NUMERIC, false},
                {"yes", true, UR_BOOL_SYSTEMD, true},  {"no", false, UR_BOOL_SYSTEMD, true},
                {"y", true, UR_BOOL_SYSTEMD, true},    {"n", false, UR_BOOL_SYSTEMD, true},
                {"t", true, UR_BOOL_SYSTEMD, true},    {"f", false, UR_BOOL_SYSTEMD, true},
                {"on", true, UR_BOOL_SYSTEMD, true},   {"off", false, UR_BOOL_SYSTEMD, true},
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                if (words[i].form > form)
                        continue;
                if (words[i].any_case ? strcasecmp(s, words[i].word) == 0 : strcmp(s, words[i].word) == 0) {
                        *ret = words[i].value;
                        return 0;
                }
        }
        return -EINVAL;
}
