/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/desc.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/vmm.h"
#include "net/net.h"
#include "util/fs.h"
#include "vm/storage.h"
#include "guest/guest.h"
#include "vm/dmblock.h"
#include "vm/storage.h"
#include "security/seccomp.h"
#include "cgroup/mapping.h"
#include "util/cleanup.h"
#include "util/cpuset.h"
#include "util/log.h"
#include "util/strv.h"

#define MIB (1024 * 1024)

static uint64_t file_size(const char *path)
{
        struct stat st;

        return path && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t) st.st_size : 0;
}

int ur_vm_memory(int64_t limit, uint64_t overhead_mib, uint64_t default_mib, uint64_t *ret_mib,
                 struct ur_err **err)
{
        uint64_t limit_mib;

        if (limit <= 0) {
                *ret_mib = default_mib;
                return 0;
        }
        limit_mib = (uint64_t) limit / MIB;
        if (limit_mib < overhead_mib + UR_MIN_GUEST_MIB)
                return ur_err_set(err, 0,
                                  "memory limit %llu MiB is too small: the monitor needs %llu MiB of its own and "
                                  "the guest at least %u MiB",
                                  (unsigned long long) limit_mib, (unsigned long long) overhead_mib,
                                  UR_MIN_GUEST_MIB);
        *ret_mib = limit_mib - overhead_mib;
        return 0;
}

/* The number of CPUs in a cpuset list, 0 when empty or invalid. */
static unsigned cpuset_size(const char *s)
{
        unsigned count = 0;
        struct ur_err *e = NULL;

        if (s && ur_cpuset_count(s, &count, &e) < 0)
                count = 0;
        ur_err_free(&e);
        return count;
}

unsigned ur_vm_vcpus(int64_t quota, uint64_t period, const char *cpus, unsigned default_vcpus, unsigned host_cpus,
                     bool *ret_clamped)
{
        uint64_t n = 0;

        if (quota > 0) {
                /* Period 0 is the kernel's default, as for the scope. */
                if (period == 0)
                        period = UR_CPU_PERIOD_DEFAULT_USEC;
                n = (uint64_t) quota / period + ((uint64_t) quota % period != 0);
        }
        if (n == 0)
                n = cpuset_size(cpus);
        if (n == 0)
                n = default_vcpus ? default_vcpus : 1;
        if (ret_clamped)
                *ret_clamped = host_cpus > 0 && n > host_cpus;
        if (host_cpus > 0 && n > host_cpus)
                n = host_cpus;
        return n > UINT_MAX ? UINT_MAX : (unsigned) n;
}

int ur_kvm_usable(void)
{
        _cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        int vm;

        if (fd < 0)
                return 0;
        if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
                return 0;
        vm = ioctl(fd, KVM_CREATE_VM, 0);
        if (vm < 0)
                return 0;
        close(vm);
        return 1;
}

static int resolve_accel(const struct ur_vmm_cfg *mcfg, const struct ur_spec *spec, bool *kvm,
                         struct ur_err **err)
{
        const char *annot = ur_spec_annotation(spec, UR_ANNOT_ACCEL);
        enum ur_accel a = mcfg ? mcfg->accel : UR_ACCEL_AUTO;

        if (annot && ur_accel_from_string(annot, &a) < 0)
                return ur_err_set(err, 0, "annotation '%s': unknown value '%s' (expected auto, kvm or tcg)",
                                  UR_ANNOT_ACCEL, annot);
        switch (a) {
        case UR_ACCEL_TCG:
                *kvm = false;
                return 0;
        case UR_ACCEL_KVM:
                if (!ur_kvm_usable())
                        return ur_err_set(err, 0, "accel 'kvm' requested but /dev/kvm cannot create a VM here");
                *kvm = true;
                return 0;
        case UR_ACCEL_AUTO:
        default:
                *kvm = ur_kvm_usable();
                if (!*kvm)
                        ur_log_warning("/dev/kvm is not usable here: the guest runs under TCG emulation (slow)");
                return 0;
        }
}

/* Network mode: annotation com.urunc.network, else [network] mode; the
 * published ports (routed mode only) from com.urunc.network.ports. */
static int resolve_network(const struct ur_config *cfg, const struct ur_spec *spec, struct ur_vm_net *net,
                           struct ur_err **err)
{
        const char *mode = ur_spec_annotation(spec, UR_ANNOT_NETWORK);
        const char *ports = ur_spec_annotation(spec, UR_ANNOT_NETWORK_PORTS);

        net->mode = cfg ? cfg->network.mode : UR_NET_TAKEOVER;
        if (mode && *mode && ur_net_mode_from_string(mode, &net->mode) < 0)
                return ur_err_set(err, 0, "annotation '%s': unknown value '%s' (expected takeover or routed)",
                                  UR_ANNOT_NETWORK, mode);
        net->ports[0] = '\0';
        if (ports && *ports) {
                if (net->mode != UR_NET_ROUTED)
                        return ur_err_set(
                                err, 0,
                                "annotation '%s' ('%s') needs network mode 'routed' (annotation '%s' "
                                "or [network] mode in the urunc config)",
                                UR_ANNOT_NETWORK_PORTS, ports, UR_ANNOT_NETWORK);
                if (ur_net_ports_parse(ports, "annotation '" UR_ANNOT_NETWORK_PORTS "'", net->ports, err) < 0)
                        return -1;
        }
        return 0;
}

/* useDMBlock: the rootfs's block device as the guest's root, when the
 * rootfs is mounted from one and the family boots from a block device;
 * otherwise the rootfs is used as it is (as upstream does). */
static int dm_root(const struct ur_spec *spec, struct ur_vm *vm, struct ur_err **err)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        _cleanup_free_ char *dev = NULL, *fstype = NULL;
        int r = ur_rootfs_block(UR_MOUNTINFO, vm->rootfs, &dev, &fstype, err);

        if (r < 0)
                return ur_err_wrap(err, "useDMBlock");
        if (r == 0) {
                ur_log_debug("useDMBlock: rootfs '%s' is not a block device's filesystem, used as it is",
                             vm->rootfs);
                return 0;
        }
        if (!g || !g->takes_dm_root) {
                ur_log_debug("useDMBlock: the %s guest boots from no block device, rootfs '%s' used as is",
                             vm->guest, vm->rootfs);
                return 0;
        }
        if (vm->share_rootfs)
                return ur_err_set(err, 0,
                                  "useDMBlock and mountRootfs are both true: rootfs '%s' (%s on '%s') cannot "
                                  "be both the guest's root device and a shared root",
                                  vm->rootfs, fstype, dev);
        vm->blocks = calloc(1, sizeof(*vm->blocks));
        if (!vm->blocks)
                return ur_err_set(err, ENOMEM, "VM description");
        vm->n_blocks = 1;
        vm->blocks[0].device = true;
        vm->blocks[0].readonly = spec->root_readonly;
        vm->blocks[0].path = TAKE_PTR(dev);
        vm->dm_root = true;
        return 0;
}

int ur_vm_seccomp_wanted(const struct ur_spec *spec, bool *ret, struct ur_err **err)
{
        const char *v = ur_spec_annotation(spec, UR_ANNOT_SECCOMP);

        if (v && !ur_streq(v, "unconfined") && !ur_streq(v, "default"))
                return ur_err_set(err, 0,
                                  "annotation '%s': unknown value '%s' (expected 'unconfined' or 'default')",
                                  UR_ANNOT_SECCOMP, v);
        *ret = !ur_streq(v, "unconfined");
        return 0;
}

int ur_vm_from_spec(const struct ur_config *cfg, const struct ur_spec *spec, const struct ur_metadata *md,
                    const char *state_dir, struct ur_vm *vm, struct ur_err **err)
{
        const struct ur_vmm_ops *mops = ur_vmm_find(md->hypervisor);
        const struct ur_vmm_cfg *mcfg = ur_config_monitor(cfg, md->hypervisor);
        const char *machine;
        uint64_t overhead;

        if (!mops)
                return ur_err_set(err, 0, "unknown monitor '%s'", md->hypervisor);
        vm->id = NULL;
        vm->guest = strdup(md->unikernel_type);
        vm->monitor = strdup(md->hypervisor);
        vm->hostname = spec->hostname ? strdup(spec->hostname) : NULL;
        vm->kernel = strdup(md->binary_path);
        vm->initrd = md->initrd_path ? strdup(md->initrd_path) : NULL;
        vm->unikernel_version = md->unikernel_version ? strdup(md->unikernel_version) : NULL;
        vm->cmdline = md->cmdline ? strdup(md->cmdline) : NULL;
        vm->argv = ur_strv_copy(spec->process.args);
        vm->env = ur_strv_copy(spec->process.env);
        vm->rootfs = spec->root_path ? strdup(spec->root_path) : NULL;
        vm->share_rootfs = md->mount_rootfs;
        vm->state_dir = strdup(state_dir);
        vm->net_possible = spec->namespaces[UR_NS_NETWORK].present;
        vm->uid = (unsigned) spec->process.uid;
        vm->gid = (unsigned) spec->process.gid;
        if (spec->process.cwd && !(vm->cwd = strdup(spec->process.cwd)))
                return ur_err_set(err, ENOMEM, "VM description");
        if ((md->solo5_net_dev && !(vm->solo5_net_dev = strdup(md->solo5_net_dev))) ||
            (md->solo5_blk_dev && !(vm->solo5_blk_dev = strdup(md->solo5_blk_dev))))
                return ur_err_set(err, ENOMEM, "VM description");
        if (ur_vm_seccomp_wanted(spec, &vm->seccomp, err) < 0)
                return -1;
        if (!vm->guest || !vm->monitor || !vm->kernel || !vm->argv || !vm->env || !vm->state_dir)
                return ur_err_set(err, ENOMEM, "VM description");
        if (md->block_path) {
                vm->blocks = calloc(1, sizeof(*vm->blocks));
                if (!vm->blocks)
                        return ur_err_set(err, ENOMEM, "VM description");
                vm->blocks[0].path = strdup(md->block_path);
                vm->blocks[0].mountpoint = md->block_mnt_point ? strdup(md->block_mnt_point) : NULL;
                vm->n_blocks = 1;
        }

        if (md->use_dm_block && !md->block_path && vm->rootfs && dm_root(spec, vm, err) < 0)
                return -1;

        if (ur_vm_storage(spec, vm, err) < 0 || ur_vm_virtiofsd(vm, NULL, err) < 0)
                return -1;

        if (ur_kernel_probe(vm->kernel, &vm->boot, err) < 0)
                return ur_err_wrap(err, "kernel '%s'", md->binary);
        if (vm->boot == UR_BOOT_SOLO5 && (mops->boot_formats & UR_BOOT_FORMAT_BIT(UR_BOOT_SOLO5))) {
                /* Once: the backend checks the tender and devices against
                 * these at create and at start alike. */
                vm->solo5 = malloc(sizeof(*vm->solo5));
                if (!vm->solo5)
                        return ur_err_set(err, ENOMEM, "VM description");
                if (ur_solo5_info_read(vm->kernel, vm->solo5, err) < 0) {
                        free(vm->solo5);
                        vm->solo5 = NULL;
                        return ur_err_wrap(err, "%s", "com.urunc.unikernel.binary");
                }
        }

        if (mcfg && mcfg->binary_path && *mcfg->binary_path) {
                vm->monitor_binary = ur_find_executable(mcfg->binary_path);
                if (!vm->monitor_binary)
                        return ur_err_set(err, 0, "monitor '%s': binary_path '%s' (config [monitors.%s]) is not an "
                                          "executable file", md->hypervisor, mcfg->binary_path, md->hypervisor);
        } else {
                vm->monitor_binary = ur_find_executable(mops->default_binary);
                if (!vm->monitor_binary)
                        return ur_err_set(err, 0, "monitor '%s': '%s' not found in $PATH; install it or set "
                                          "binary_path in [monitors.%s] of the urunc config",
                                          md->hypervisor, mops->default_binary, md->hypervisor);
        }
        if (mcfg && mcfg->data_path && *mcfg->data_path)
                vm->monitor_data_path = strdup(mcfg->data_path);

        /* The config's monitors are the registry's, with its overheads as
         * defaults; an overhead_mb of 0 in the file means none. */
        overhead = mcfg ? mcfg->overhead_mib : ur_pair_vmm_overhead_mib(mops->name);
        /* QEMU keeps a copy of the kernel and the initrd it loaded (ROM
         * blobs, for reset): measured part of its own memory, so the
         * default grows with them (whole MiB; a unikernel adds nothing).
         * An overhead_mb set in the configuration is taken as it is. */
        if (!(mcfg && mcfg->overhead_set) && strcmp(mops->name, "qemu") == 0)
                overhead += (file_size(vm->kernel) + file_size(vm->initrd) + vm->copies_bytes) / MIB;
        if (ur_vm_memory(spec->resources.memory_limit, overhead,
                         mcfg ? mcfg->default_memory_mib : UR_DEFAULT_MEMORY_MIB, &vm->mem_mib, err) < 0)
                return -1;
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        bool clamped = false;
        vm->vcpus = ur_vm_vcpus(spec->resources.cpu_quota, spec->resources.cpu_period,
                                spec->resources.cpu_cpus, mcfg ? mcfg->default_vcpus : UR_DEFAULT_VCPUS,
                                online > 0 ? (unsigned) online : 0, &clamped);
        if (clamped)
                ur_log_warning("linux.resources.cpu (quota %" PRId64 ", period %" PRIu64 ", cpus '%s') asks for "
                               "more vCPUs than the host's %u CPUs: the guest gets %u",
                               spec->resources.cpu_quota, spec->resources.cpu_period,
                               spec->resources.cpu_cpus ? spec->resources.cpu_cpus : "", (unsigned) online, vm->vcpus);

        if (mops->no_accel) {
                /* spt: a process, not a VM; KVM and TCG do not apply. */
                const char *annot = ur_spec_annotation(spec, UR_ANNOT_ACCEL);
                enum ur_accel a;
                if (annot && ur_accel_from_string(annot, &a) < 0)
                        return ur_err_set(err, 0,
                                          "annotation '%s': unknown value '%s' (expected auto, kvm or tcg)",
                                          UR_ANNOT_ACCEL, annot);
                vm->kvm = false;
        } else if (resolve_accel(mcfg, spec, &vm->kvm, err) < 0)
                return -1;
        if (!vm->kvm && ur_streq(vm->guest, "linux") && ur_streq(vm->monitor, "qemu")) {
                /* Linux on an emulated microvm hangs calibrating against the
                 * PIT unless told the TSC rate (15 ms to measure, only here). */
                struct ur_err *e = NULL;
                if (ur_host_tsc_khz(&vm->tsc_khz, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
        if (resolve_network(cfg, spec, &vm->net, err) < 0)
                return -1;
        machine = ur_spec_annotation(spec, UR_ANNOT_MACHINE);
        if (!machine && mcfg)
                machine = mcfg->machine;
        if (machine && *machine)
                vm->machine = strdup(machine);
        return 0;
}
