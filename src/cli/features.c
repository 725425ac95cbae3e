/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "guest/guest.h"
#include "util/cleanup.h"
#include "vm/pairs.h"
#include "vmm/vmm.h"

static json_object *strings(const char *const *v)
{
        json_object *a = json_object_new_array();

        for (; *v; v++)
                json_object_array_add(a, json_object_new_string(*v));
        return a;
}

int cmd_features(struct ur_context *ctx, int argc, char **argv)
{
        static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "poststop", NULL };
        static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "uts", NULL };
        const struct cli_opt opts[] = { { NULL, 0, 0, NULL } };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        json_object *o, *lnx, *cg, *ann, *pairs;
        int nargs;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        o = json_object_new_object();
        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
        json_object_object_add(o, "hooks", strings(hooks));
        json_object_object_add(o, "mountOptions", json_object_new_array());
        lnx = json_object_new_object();
        json_object_object_add(lnx, "namespaces", strings(namespaces));
        json_object_object_add(lnx, "capabilities", json_object_new_array());
        cg = json_object_new_object();
        json_object_object_add(cg, "v1", json_object_new_boolean(1));
        json_object_object_add(cg, "v2", json_object_new_boolean(1));
        json_object_object_add(cg, "systemd", json_object_new_boolean(1));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
        json_object_object_add(lnx, "cgroup", cg);
        json_object_object_add(o, "linux", lnx);

        /* The guest/monitor pairs this build runs, as "guest/monitor" names. */
        pairs = json_object_new_array();
        for (const struct ur_guest_ops *const *g = ur_guest_all(); *g; g++)
                for (const struct ur_vmm_ops *const *m = ur_vmm_all(); *m; m++)
                        if (ur_pair_supported((*g)->name, (*m)->name)) {
                                char *p = NULL;
                                if (asprintf(&p, "%s/%s", (*g)->name, (*m)->name) >= 0)
                                        json_object_array_add(pairs, json_object_new_string(p));
                                free(p);
                        }
        ann = json_object_new_object();
        json_object_object_add(ann, "io.github.urunc.pairs",
                               json_object_new_string(json_object_to_json_string_ext(pairs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
        json_object_put(pairs);
        json_object_object_add(o, "annotations", ann);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return 0;
}
