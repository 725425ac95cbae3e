/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Firecracker: `firecracker --no-api --config-file <state_dir>/firecracker.json
 * [--no-seccomp]`, the configuration written as an ur_exec_file:
 *
 *   {"boot-source": {"kernel_image_path", "boot_args", ["initrd_path"]},
 *    "drives": [{"drive_id": "blkI", "path_on_host", "is_root_device": false,
 *                "is_read_only"}, [{"drive_id": "urunit", ...: the guest's
 *               configuration disk, read-only, last}]],
 *    "machine-config": {"vcpu_count", "mem_size_mib", "smt": false},
 *    "network-interfaces": [{"iface_id": "eth0", "guest_mac", "host_dev_name"}]}
 *
 * is_root_device stays false: firecracker would append its own root= to
 * the command line, and the guest backend already says where root is.
 * Firecracker opens the tap by name (it cannot take an fd).  It loads ELF
 * kernels only (PVH or a plain vmlinux), not bzImage or multiboot.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vmm/vmm.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static int fc_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                    struct ur_exec *ret, struct ur_err **err)
{
        if (!vm->monitor_binary || !vm->kernel)
                return ur_err_set(err, 0, "firecracker: monitor binary and kernel are required");
        if (!vm->state_dir)
                return ur_err_set(err, 0, "firecracker: a state directory is required for its configuration file");
        if (vm->net.enabled && !vm->net.tap_name[0])
                return ur_err_set(err, 0, "firecracker: network enabled but no tap name given "
                                  "(firecracker opens its tap by name)");

        json_object *root = json_object_new_object();
        json_object *boot = json_object_new_object();
        json_object *drives = json_object_new_array();
        json_object *mc = json_object_new_object();
        json_object *nics = json_object_new_array();
        if (!root || !boot || !drives || !mc || !nics) {
                json_object_put(root);
                json_object_put(boot);
                json_object_put(drives);
                json_object_put(mc);
                json_object_put(nics);
                return ur_err_set(err, ENOMEM, "building the firecracker configuration");
        }
        json_object_object_add(root, "boot-source", boot);
        json_object_object_add(root, "drives", drives);
        json_object_object_add(root, "machine-config", mc);
        json_object_object_add(root, "network-interfaces", nics);

        json_object_object_add(boot, "kernel_image_path", json_object_new_string(vm->kernel));
        json_object_object_add(boot, "boot_args", json_object_new_string(guest_cmdline ? guest_cmdline : ""));
        if (vm->initrd)
                json_object_object_add(boot, "initrd_path", json_object_new_string(vm->initrd));
        for (unsigned i = 0; i < vm->n_blocks; i++) {
                json_object *d = json_object_new_object();
                char id[32];
                snprintf(id, sizeof(id), "blk%u", i);
                json_object_object_add(d, "drive_id", json_object_new_string(id));
                json_object_object_add(d, "path_on_host", json_object_new_string(vm->blocks[i].path));
                json_object_object_add(d, "is_root_device", json_object_new_boolean(0));
                json_object_object_add(d, "is_read_only", json_object_new_boolean(vm->blocks[i].readonly));
                json_object_array_add(drives, d);
        }
        if (vm->config_disk) {
                /* The guest's configuration: the last drive. */
                json_object *d = json_object_new_object();
                json_object_object_add(d, "drive_id", json_object_new_string("urunit"));
                json_object_object_add(d, "path_on_host", json_object_new_string(vm->config_disk));
                json_object_object_add(d, "is_root_device", json_object_new_boolean(0));
                json_object_object_add(d, "is_read_only", json_object_new_boolean(1));
                json_object_array_add(drives, d);
        }
        json_object_object_add(mc, "vcpu_count", json_object_new_int((int) (vm->vcpus ? vm->vcpus : 1)));
        json_object_object_add(mc, "mem_size_mib", json_object_new_int64((int64_t) (vm->mem_mib ? vm->mem_mib : 128)));
        json_object_object_add(mc, "smt", json_object_new_boolean(0));
        if (vm->net.enabled) {
                json_object *n = json_object_new_object();
                json_object_object_add(n, "iface_id", json_object_new_string("eth0"));
                json_object_object_add(n, "guest_mac", json_object_new_string(vm->net.mac));
                json_object_object_add(n, "host_dev_name", json_object_new_string(vm->net.tap_name));
                json_object_array_add(nics, n);
        }
        char *content = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
        char *path = ur_path_join(vm->state_dir, "firecracker.json");
        struct ur_exec_file *files = calloc(1, sizeof(*files));
        char **a = NULL;
        int r = content && path && files ? 0 : -1;
        r |= ur_strv_add(&a, vm->monitor_binary);
        r |= ur_strv_add(&a, "--no-api");
        r |= ur_strv_add(&a, "--config-file");
        r |= ur_strv_add(&a, path ? path : "");
        if (!vm->seccomp)
                r |= ur_strv_add(&a, "--no-seccomp");
        if (r < 0) {
                free(content);
                free(path);
                free(files);
                ur_strv_free(a);
                return ur_err_set(err, ENOMEM, "building the firecracker command line");
        }
        files[0].path = path;
        files[0].content = content;
        ret->argv = a;
        ret->files = files;
        ret->n_files = 1;
        return 0;
}

const struct ur_vmm_ops ur_vmm_firecracker = {
        .name = "firecracker",
        .default_binary = "firecracker",
        .stop_signal = SIGTERM,
        .build = fc_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_PVH) | UR_BOOT_FORMAT_BIT(UR_BOOT_ELF),
        .takes_config_disk = true,
};
