/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/vm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"

void ur_vm_init(struct ur_vm *vm)
{
        memset(vm, 0, sizeof(*vm));
        vm->net.tap_fd = -1;
}

void ur_vm_done(struct ur_vm *vm)
{
        if (!vm)
                return;
        free(vm->id);
        free(vm->hostname);
        free(vm->guest);
        free(vm->monitor);
        free(vm->monitor_binary);
        free(vm->monitor_data_path);
        free(vm->kernel);
        free(vm->initrd);
        free(vm->unikernel_version);
        free(vm->cmdline);
        ur_strv_free(vm->argv);
        ur_strv_free(vm->env);
        free(vm->rootfs);
        free(vm->solo5);
        for (unsigned i = 0; i < vm->n_blocks; i++) {
                free(vm->blocks[i].path);
                free(vm->blocks[i].mountpoint);
        }
        free(vm->blocks);
        for (unsigned i = 0; i < vm->n_shares; i++) {
                free(vm->shares[i].tag);
                free(vm->shares[i].source);
                free(vm->shares[i].dest);
                free(vm->shares[i].options);
        }
        free(vm->shares);
        for (unsigned i = 0; i < vm->n_copies; i++) {
                free(vm->copies[i].source);
                free(vm->copies[i].dest);
        }
        free(vm->copies);
        free(vm->virtiofsd);
        free(vm->machine);
        free(vm->state_dir);
        free(vm->solo5_net_dev);
        free(vm->solo5_blk_dev);
        free(vm->cwd);
        ur_vm_init(vm);
}

void ur_exec_done(struct ur_exec *ex)
{
        if (!ex)
                return;
        ur_strv_free(ex->argv);
        ur_strv_free(ex->env);
        for (unsigned i = 0; i < ex->n_files; i++) {
                free(ex->files[i].path);
                free(ex->files[i].content);
        }
        free(ex->files);
        free(ex->qmp_path);
        memset(ex, 0, sizeof(*ex));
}

const char *const ur_net_mode_names[] = {
        [UR_NET_TAKEOVER] = "takeover",
        [UR_NET_ROUTED] = "routed",
        NULL,
};

int ur_net_mode_from_string(const char *s, enum ur_net_mode *ret)
{
        for (size_t i = 0; s && ur_net_mode_names[i]; i++)
                if (ur_streq(s, ur_net_mode_names[i])) {
                        *ret = (enum ur_net_mode) i;
                        return 0;
                }
        return -1;
}

const char *ur_net_mode_to_string(enum ur_net_mode m)
{
        return (unsigned) m <= UR_NET_ROUTED ? ur_net_mode_names[m] : NULL;
}
