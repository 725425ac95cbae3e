/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guest/guest.h"
#include "util/fs.h"
#include "vm/desc.h"
#include "vm/initrd.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

static bool at_or_below(const char *d, const char *top)
{
        size_t n = strlen(top);
        return strncmp(d, top, n) == 0 && (d[n] == '\0' || d[n] == '/');
}

bool ur_mount_skipped(const char *d)
{
        static const char *const trees[] = {"/proc", "/sys", "/dev"};
        static const char *const files[] = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
                                            "/run/.containerenv"};

        for (size_t i = 0; i < ELEMENTSOF(trees); i++)
                if (at_or_below(d, trees[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (strcmp(d, files[i]) == 0)
                        return true;
        return false;
}

/* Engine-added secrets (Kubernetes' service-account token, the secrets
 * directory of podman and CRI-O): shared when the guest can take them,
 * skipped with a warning otherwise, so that such pods still run. */
static bool soft(const char *d)
{
        return at_or_below(d, "/var/run/secrets") || at_or_below(d, "/run/secrets");
}

/* The scratch tmpfs engines put in every container (containerd's default
 * spec: /run; podman: /run, /tmp, /var/tmp with --systemd): made in the
 * guest when it can make a tmpfs, skipped for a family that cannot (its
 * filesystem is its own), where a tmpfs anywhere else is refused. */
static bool engine_scratch(const char *d)
{
        return strcmp(d, "/run") == 0 || strcmp(d, "/tmp") == 0 || strcmp(d, "/var/tmp") == 0;
}

static bool has_opt(char *const *opts, const char *o)
{
        return ur_strv_contains(opts, o);
}

/* The last of "ro"/"rw" wins; neither: read-write. */
static bool readonly_of(char *const *opts)
{
        bool ro = false;
        for (char *const *o = opts; o && *o; o++) {
                if (strcmp(*o, "ro") == 0)
                        ro = true;
                else if (strcmp(*o, "rw") == 0)
                        ro = false;
        }
        return ro;
}

/* tmpfs options the guest keeps: size=, mode=, nr_inodes=. */
static int tmpfs_options(char *const *opts, char **ret)
{
        _cleanup_strv_ char **keep = NULL;
        for (char *const *o = opts; o && *o; o++)
                if ((strncmp(*o, "size=", 5) == 0 || strncmp(*o, "mode=", 5) == 0 ||
                     strncmp(*o, "nr_inodes=", 10) == 0) &&
                    ur_strv_add(&keep, *o) < 0)
                        return -ENOMEM;
        if (!keep) {
                *ret = NULL;
                return 0;
        }
        *ret = ur_strv_join(keep, ",");
        return *ret ? 0 : -ENOMEM;
}

/* "the linux guest on qemu": what a refusal names. */
static int refuse(struct ur_err **err, const struct ur_mount *m, const char *why, const struct ur_vm *vm)
{
        return ur_err_set(err, 0, "mount '%s' (source '%s', type '%s'): %s (the %s guest on %s)",
                          m->destination, m->source ? m->source : "", m->type ? m->type : "", why, vm->guest,
                          vm->monitor);
}

/* Why the bind mounts of this VM cannot be copied into its initrd, or
 * NULL when they can (src/vm/initrd.c): the family reads its initrd
 * as its root filesystem, and this VM's root is its initrd. */
static const char *copy_refused(const struct ur_vm *vm, const struct ur_guest_ops *g)
{
        if (!g || !g->takes_initrd_files)
                return "nor can it be copied into the initrd of this guest family (linux and unikraft only)";
        if (!vm->initrd)
                return "nor can it be copied into the guest's initrd: the container has none "
                       "(com.urunc.unikernel.initrd)";
        if (vm->share_rootfs || vm->n_blocks > 0)
                return "nor can it be copied into the guest's initrd: its root is the shared rootfs or a "
                       "block image";
        if (g->initrd_newc_only && !ur_initrd_is_newc(vm->initrd))
                return "nor can it be copied into the guest's initrd: the family reads only an "
                       "uncompressed newc cpio archive";
        return NULL;
}

/* Add the bind mount m to vm->copies (checked and counted now, copied when
 * the monitor is prepared). */
static int copy(struct ur_vm *vm, const struct ur_mount *m, bool ro, struct ur_err **err)
{
        struct ur_vm_copy *c = &vm->copies[vm->n_copies];
        _cleanup_free_ char *what = NULL;

        if (asprintf(&what, "mount '%s' (source '%s')", m->destination, m->source) < 0)
                return ur_err_set(err, ENOMEM, "VM description");
        if (ur_initrd_copy_check(m->source, what, &vm->copies_bytes, err) < 0)
                return -1;
        c->source = strdup(m->source);
        c->dest = strdup(m->destination);
        c->readonly = ro;
        if (!c->source || !c->dest) {
                free(c->source);
                free(c->dest);
                return ur_err_set(err, ENOMEM, "VM description");
        }
        vm->n_copies++;
        ur_log_debug("%s: copied into the guest's initrd%s", what, ro ? ", read-only" : "");
        return 0;
}

/* A block device among the mounts for a Solo5 family: one more block image
 * after the metadata's, which the tender gives to the next block device the
 * kernel's manifest declares (src/vmm/solo5.c).  The application
 * reads it by that name: the destination plays no part. */
static int solo5_volume(struct ur_vm *vm, const struct ur_mount *m, struct ur_err **err)
{
        struct ur_vm_block *b;

        if (readonly_of(m->options))
                return refuse(err, m,
                              "a Solo5 tender opens every block device read-write: a read-only block "
                              "volume cannot be given",
                              vm);
        b = realloc(vm->blocks, (vm->n_blocks + 1) * sizeof(*b));
        if (!b)
                return ur_err_set(err, ENOMEM, "VM description");
        vm->blocks = b;
        b = &vm->blocks[vm->n_blocks];
        *b = (struct ur_vm_block){.device = true, .path = strdup(m->source)};
        if (!b->path)
                return ur_err_set(err, ENOMEM, "VM description");
        vm->n_blocks++;
        ur_log_debug("mount '%s' (source '%s'): Solo5 block device %u, the destination is not used",
                     m->destination, m->source, vm->n_blocks - 1);
        return 0;
}

int ur_vm_storage(const struct ur_spec *spec, struct ur_vm *vm, struct ur_err **err)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        bool qemu = ur_streq(vm->monitor, "qemu");
        bool can_9p = g && g->takes_9p && qemu;
        bool can_tmpfs = g && g->takes_tmpfs;
        const char *how = ur_spec_annotation(spec, UR_ANNOT_SHAREDFS);
        bool can_blk = g && g->takes_volumes && qemu;
        bool can_solo5_blk =
                g && g->takes_solo5_volumes && (ur_streq(vm->monitor, "hvt") || ur_streq(vm->monitor, "spt"));
        unsigned n9p = 0, nblk = 0;
        bool copy_all;
        const char *copy_why;

        if (how && *how && !ur_streq(how, "9p") && !ur_streq(how, "virtiofs") && !ur_streq(how, "none"))
                return ur_err_set(err, 0,
                                  "annotation '%s': unknown value '%s' (expected 9p, virtiofs or none)",
                                  UR_ANNOT_SHAREDFS, how);
        vm->virtiofs = ur_streq(how, "virtiofs");
        copy_all = ur_streq(how, "none");
        if (copy_all && vm->share_rootfs)
                return ur_err_set(err, 0,
                                  "annotation '%s' is 'none', but 'com.urunc.unikernel.mountRootfs' is true "
                                  "(the rootfs is shared over 9p or virtiofs)",
                                  UR_ANNOT_SHAREDFS);
        copy_why = copy_refused(vm, g);
        if (vm->virtiofs && !(g && g->takes_virtiofs && qemu))
                return ur_err_set(err, 0,
                                  "annotation '%s' is 'virtiofs', but the %s guest on %s cannot take it "
                                  "(linux on qemu only)",
                                  UR_ANNOT_SHAREDFS, vm->guest, vm->monitor);

        if (vm->share_rootfs && !(g && g->takes_9p_root && qemu))
                return ur_err_set(
                        err, 0,
                        "annotation 'com.urunc.unikernel.mountRootfs' is true, but the %s guest on %s "
                        "cannot take the container rootfs as a shared root (only linux, unikraft and "
                        "freebsd on qemu, over 9p)",
                        vm->guest, vm->monitor);
        vm->rootfs_readonly = vm->share_rootfs && spec->root_readonly;
        if (spec->n_mounts == 0)
                return 0;
        vm->shares = calloc(spec->n_mounts, sizeof(*vm->shares));
        vm->copies = calloc(spec->n_mounts, sizeof(*vm->copies));
        if (!vm->shares || !vm->copies)
                return ur_err_set(err, ENOMEM, "VM description");
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct ur_mount *m = &spec->mounts[i];
                const char *d = m->destination;
                bool bind = ur_streq(m->type, "bind") || has_opt(m->options, "bind") ||
                            has_opt(m->options, "rbind");
                struct ur_vm_share *s = &vm->shares[vm->n_shares];

                if (!d || d[0] != '/')
                        return ur_err_set(err, 0,
                                          "mount '%s' (source '%s'): the destination is not an absolute path",
                                          d ? d : "", m->source ? m->source : "");
                if (strcmp(d, "/") == 0 || strstr(d, "/../") || strstr(d, "/./") ||
                    (strlen(d) >= 3 && strcmp(d + strlen(d) - 3, "/..") == 0) ||
                    (strlen(d) >= 2 && strcmp(d + strlen(d) - 2, "/.") == 0))
                        return ur_err_set(
                                err, 0,
                                "mount '%s' (source '%s'): the destination is the guest's root or has "
                                "'.' or '..' components (the root is shared with mountRootfs)",
                                d, m->source ? m->source : "");
                if (ur_mount_skipped(d)) {
                        ur_log_debug("mount '%s' (type '%s'): skipped, the guest has its own", d,
                                     m->type ? m->type : "");
                        continue;
                }
                if (soft(d)) {
                        struct stat st;
                        bool ok = bind && m->source && m->source[0] == '/' && stat(m->source, &st) == 0 &&
                                  ((S_ISDIR(st.st_mode) && can_9p && !copy_all) ||
                                   ((S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) && !copy_why));
                        if (!ok) {
                                ur_log_warning(
                                        "mount '%s' (source '%s'): engine-added secrets skipped, the %s "
                                        "guest on %s cannot take them",
                                        d, m->source ? m->source : "", vm->guest, vm->monitor);
                                continue;
                        }
                }
                struct stat bst;
                if (m->source && m->source[0] == '/' && stat(m->source, &bst) == 0 && S_ISBLK(bst.st_mode) &&
                    !ur_streq(m->type, "tmpfs")) {
                        /* A block device: a volume of its own, in the spec's order. */
                        const char *fstype = bind || !m->type || ur_streq(m->type, "none") ? "auto" : m->type;
                        if (can_solo5_blk) {
                                if (solo5_volume(vm, m, err) < 0)
                                        return -1;
                                continue;
                        }
                        if (!can_blk)
                                return refuse(err, m,
                                              "this guest family cannot take a block volume (linux and "
                                              "freebsd on qemu, mirage on hvt and spt)",
                                              vm);
                        if (strpbrk(fstype, ": \t\n\"") || !*fstype)
                                return refuse(err, m, "the filesystem type cannot be passed to the guest",
                                              vm);
                        s->kind = UR_SHARE_BLOCK;
                        /* Numbered after the metadata's block images, whose
                         * QEMU drives are blk0...: ids must not collide. */
                        if (asprintf(&s->tag, "blk%u", vm->n_blocks + nblk) < 0) {
                                s->tag = NULL;
                                return ur_err_set(err, ENOMEM, "VM description");
                        }
                        nblk++;
                        s->source = strdup(m->source);
                        s->options = strdup(fstype);
                        if (!s->source || !s->options)
                                return ur_err_set(err, ENOMEM, "VM description");
                } else if (bind) {
                        struct stat st;
                        if (!m->source || m->source[0] != '/')
                                return refuse(err, m, "the source is not an absolute path", vm);
                        if (stat(m->source, &st) < 0)
                                return ur_err_set(err, errno, "mount '%s' (source '%s')", d, m->source);
                        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                                return refuse(err, m, "the source is neither a directory nor a regular file",
                                              vm);
                        if (!S_ISDIR(st.st_mode) || !can_9p || copy_all) {
                                if (copy_why) {
                                        const char *no_share =
                                                "this guest family cannot take a shared directory "
                                                "(9p: linux and unikraft on qemu)";
                                        char why[512];
                                        if (!S_ISDIR(st.st_mode))
                                                no_share = "the source is not a directory, and 9p shares "
                                                           "only directories";
                                        else if (copy_all)
                                                no_share = "annotation " UR_ANNOT_SHAREDFS " is 'none'";
                                        snprintf(why, sizeof(why), "%s; %s", no_share, copy_why);
                                        return refuse(err, m, why, vm);
                                }
                                if (copy(vm, m, readonly_of(m->options), err) < 0)
                                        return -1;
                                continue;
                        }
                        s->kind = vm->virtiofs ? UR_SHARE_VIRTIOFS : UR_SHARE_9P;
                        if (asprintf(&s->tag, "vol%u", n9p) < 0) {
                                s->tag = NULL;
                                return ur_err_set(err, ENOMEM, "VM description");
                        }
                        n9p++;
                        s->source = strdup(m->source);
                        if (!s->source)
                                return ur_err_set(err, ENOMEM, "VM description");
                } else if (ur_streq(m->type, "tmpfs")) {
                        if (!can_tmpfs && engine_scratch(d)) {
                                ur_log_debug("mount '%s' (type tmpfs): an engine's scratch tmpfs, skipped for "
                                             "the %s guest (it cannot make one)",
                                             d, vm->guest);
                                continue;
                        }
                        if (!can_tmpfs)
                                return refuse(err, m, "this guest family cannot make a tmpfs (linux only)",
                                              vm);
                        s->kind = UR_SHARE_TMPFS;
                        if (tmpfs_options(m->options, &s->options) < 0)
                                return ur_err_set(err, ENOMEM, "VM description");
                } else {
                        return refuse(
                                err, m,
                                "only bind mounts of directories, block devices and tmpfs reach a guest", vm);
                }
                s->readonly = readonly_of(m->options);
                s->dest = strdup(d);
                vm->n_shares++;
                if (!s->dest)
                        return ur_err_set(err, ENOMEM, "VM description");
        }
        return 0;
}

int ur_vm_virtiofsd(struct ur_vm *vm, const char *configured, struct ur_err **err)
{
        bool used = vm->virtiofs && vm->share_rootfs;

        for (unsigned i = 0; i < vm->n_shares; i++)
                used = used || vm->shares[i].kind == UR_SHARE_VIRTIOFS;
        if (!used)
                return 0;
        if (configured && *configured) {
                vm->virtiofsd = ur_find_executable(configured);
                if (!vm->virtiofsd)
                        return ur_err_set(err, 0, "virtiofsd '%s' is not an executable file", configured);
                return 0;
        }
        vm->virtiofsd = ur_find_executable(UR_VIRTIOFSD_DEFAULT);
        if (!vm->virtiofsd)
                vm->virtiofsd = ur_find_executable("virtiofsd");
        if (!vm->virtiofsd)
                return ur_err_set(err, 0,
                                  "annotation '%s' is 'virtiofs', but virtiofsd is neither at %s nor in "
                                  "$PATH (Debian: qemu-system-common)",
                                  UR_ANNOT_SHAREDFS, UR_VIRTIOFSD_DEFAULT);
        return 0;
}
