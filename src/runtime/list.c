/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include "runtime/internal.h"
#include "runtime/state.h"
#include "util/strv.h"

int ur_state_json(struct ur_context *ctx, const char *id, json_object **ret, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;

        if (ur_load(ctx, id, &st, err) < 0)
                return -1;
        *ret = ur_state_to_oci(st, ur_state_status(st));
        return 0;
}

int ur_list(struct ur_context *ctx, json_object **ret, struct ur_err **err)
{
        _cleanup_strv_ char **ids = NULL;
        json_object *arr;

        if (ur_state_list(ctx->root, &ids, err) < 0)
                return -1;
        arr = json_object_new_array();
        for (size_t i = 0; ids[i]; i++) {
                struct ur_state *st = NULL;
                struct ur_err *e = NULL;
                if (ur_state_load(ctx->root, ids[i], &st, &e) < 0) {
                        ur_err_free(&e);
                        continue; /* deleted meanwhile */
                }
                json_object_array_add(arr, ur_state_to_oci(st, ur_state_status(st)));
                ur_state_free(st);
        }
        *ret = arr;
        return 0;
}
