/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/build.h"
#include "vm/desc.h"
#include "security/seccomp.h"
#include "util/cleanup.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/strv.h"

void ur_plan_init(struct ur_plan *p)
{
        memset(p, 0, sizeof(*p));
        ur_vm_init(&p->vm);
}

static int add_bind(struct ur_plan *p, const char *path, unsigned flags, const char *what,
                    struct ur_err **err)
{
        struct ur_plan_bind *b;

        if (!path)
                return 0;
        b = realloc(p->binds, (p->n_binds + 1) * sizeof(*b));
        if (!b)
                return ur_err_set(err, ENOMEM, "plan");
        p->binds = b;
        b = &p->binds[p->n_binds];
        *b = (struct ur_plan_bind){.path = strdup(path), .flags = flags, .what = what, .fd = -1};
        if (!b->path)
                return ur_err_set(err, ENOMEM, "plan");
        p->n_binds++;
        return 0;
}

/* The guest's part of the confined root: the directories shared over 9p
 * and the block volumes' device nodes first, then the files pinned at
 * create over them (a kernel or image inside the shared rootfs is bound
 * over what it holds by then, read-only where it must be). */
static void binds_free(struct ur_plan *p)
{
        for (unsigned i = 0; i < p->n_binds; i++) {
                free(p->binds[i].path);
                if (p->binds[i].fd >= 0)
                        close(p->binds[i].fd);
        }
        free(p->binds);
        p->binds = NULL;
        p->n_binds = 0;
}

static int plan_binds(struct ur_plan *p, struct ur_err **err)
{
        const struct ur_vm *vm = &p->vm;

        binds_free(p);

        if (vm->share_rootfs && !vm->virtiofs && vm->rootfs &&
            add_bind(p, vm->rootfs, UR_BIND_NOEXEC | (vm->rootfs_readonly ? UR_BIND_RO : 0), "shared rootfs",
                     err) < 0)
                return -1;
        for (unsigned i = 0; i < vm->n_shares; i++) {
                const struct ur_vm_share *sh = &vm->shares[i];
                unsigned f = UR_BIND_NOEXEC | (sh->readonly ? UR_BIND_RO : 0);
                if (sh->kind == UR_SHARE_9P && add_bind(p, sh->source, f, "shared directory", err) < 0)
                        return -1;
                if (sh->kind == UR_SHARE_BLOCK &&
                    add_bind(p, sh->source, f | UR_BIND_DEV, "block volume", err) < 0)
                        return -1;
        }
        if (add_bind(p, vm->kernel, UR_BIND_PIN | UR_BIND_RO | UR_BIND_NOEXEC, "kernel", err) < 0 ||
            add_bind(p, vm->initrd, UR_BIND_PIN | UR_BIND_RO | UR_BIND_NOEXEC, "initrd", err) < 0)
                return -1;
        for (unsigned i = 0; i < vm->n_blocks; i++) {
                const struct ur_vm_block *b = &vm->blocks[i];
                /* A block device (useDMBlock's) is a device node, not pinned. */
                unsigned f = UR_BIND_NOEXEC | (b->readonly ? UR_BIND_RO : 0) |
                             (b->device ? UR_BIND_DEV : UR_BIND_PIN);
                if (add_bind(p, b->path, f, b->device ? "block device" : "block image", err) < 0)
                        return -1;
        }
        return 0;
}

static const char *find_resolv_conf(const struct ur_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (ur_streq(spec->mounts[i].destination, "/etc/resolv.conf"))
                        return spec->mounts[i].source;
        return NULL;
}

static int plan_creds(struct ur_plan *p, const struct ur_spec *spec, struct ur_err **err)
{
        p->creds.uid = spec->process.uid;
        p->creds.gid = spec->process.gid;
        if (spec->process.n_additional_gids) {
                p->creds.groups = calloc(spec->process.n_additional_gids, sizeof(gid_t));
                if (!p->creds.groups)
                        return ur_err_set(err, ENOMEM, "plan");
                memcpy(p->creds.groups, spec->process.additional_gids,
                       spec->process.n_additional_gids * sizeof(gid_t));
                p->creds.n_groups = spec->process.n_additional_gids;
        }
        return 0;
}

/* The console to the journal?  The annotation com.urunc.console
 * ("journal" or "stdio") decides, else the config's [systemd]
 * console_to_journal.  An unknown value, or "journal" asked by annotation
 * together with process.terminal, is an error naming the annotation; the
 * config key gives way to a terminal. */
static int console_journal(const struct ur_config *cfg, const struct ur_spec *spec, bool *ret,
                           struct ur_err **err)
{
        const char *v = ur_spec_annotation(spec, UR_ANNOT_CONSOLE);

        if (!v) {
                *ret = cfg && cfg->systemd.console_to_journal && !spec->process.terminal;
                return 0;
        }
        if (strcmp(v, "stdio") == 0) {
                *ret = false;
                return 0;
        }
        if (strcmp(v, "journal") != 0)
                return ur_err_set(err, 0, "annotation '%s': unknown value '%s' (expected journal or stdio)",
                                  UR_ANNOT_CONSOLE, v);
        if (spec->process.terminal)
                return ur_err_set(err, 0,
                                  "annotation '%s' is 'journal' but process.terminal is true: the console "
                                  "cannot go to both the journal and a terminal",
                                  UR_ANNOT_CONSOLE);
        *ret = true;
        return 0;
}

/* Register with machined?  The annotation com.urunc.register-machine, else
 * the config's [systemd] register_machine. */
static int register_machine(const struct ur_config *cfg, const struct ur_spec *spec, bool *ret,
                            struct ur_err **err)
{
        const char *v = ur_spec_annotation(spec, UR_ANNOT_REGISTER_MACHINE);

        if (!v) {
                *ret = cfg && cfg->systemd.register_machine;
                return 0;
        }
        if (ur_parse_bool(v, UR_BOOL_STRICT, ret) == 0)
                return 0;
        return ur_err_set(err, 0, "annotation '%s': unknown value '%s' (expected true or false)",
                          UR_ANNOT_REGISTER_MACHINE, v);
}

int ur_plan_systemd_wishes(const struct ur_config *cfg, const struct ur_spec *spec, struct ur_plan *p,
                           struct ur_err **err)
{
        int r = console_journal(cfg, spec, &p->console_journal, err);

        if (r < 0)
                return r;
        return register_machine(cfg, spec, &p->register_machine, err);
}

int ur_plan_build(const struct ur_config *cfg, const struct ur_spec *spec, const struct ur_metadata *md,
                  const char *id, const char *state_dir, struct ur_plan *p, struct ur_err **err)
{
        const char *resolv = find_resolv_conf(spec);

        ur_plan_init(p);
        p->id = strdup(id);
        if (!p->id)
                return ur_err_set(err, ENOMEM, "plan");
        if (ur_vm_from_spec(cfg, spec, md, state_dir, &p->vm, err) < 0)
                return -1;
        p->vm.id = strdup(id);
        if (!p->vm.id)
                return ur_err_set(err, ENOMEM, "plan");
        /* Once without network, so that a bad guest/monitor/kernel
         * combination fails at create rather than at start. */
        if (ur_vm_build_exec(&p->vm, &p->exec, err) < 0)
                return -1;
        if (plan_binds(p, err) < 0 || plan_creds(p, spec, err) < 0)
                return -1;
        p->confine = !cfg || cfg->security.confine;
        p->own_proc = spec->namespaces[UR_NS_PID].present;
        if (p->vm.seccomp) {
                p->seccomp_policy = strdup(p->vm.monitor);
                if (!p->seccomp_policy)
                        return ur_err_set(err, ENOMEM, "plan");
        }
        p->seccomp_log = cfg && cfg->security.seccomp_log;
        if (cfg && cfg->security.policy_dir && !(p->seccomp_dir = strdup(cfg->security.policy_dir)))
                return ur_err_set(err, ENOMEM, "plan");
        p->spec_seccomp = spec->has_seccomp;
        p->set_hostname = spec->namespaces[UR_NS_UTS].present && spec->hostname;
        if (resolv && !(p->resolv_conf = strdup(resolv)))
                return ur_err_set(err, ENOMEM, "plan");
        return ur_plan_systemd_wishes(cfg, spec, p, err);
}

int ur_plan_rebind(struct ur_plan *p, struct ur_err **err)
{
        return plan_binds(p, err);
}

struct ur_plan_bind *ur_plan_find_bind(struct ur_plan *p, const char *path)
{
        for (unsigned i = 0; path && i < p->n_binds; i++)
                if (strcmp(p->binds[i].path, path) == 0)
                        return &p->binds[i];
        return NULL;
}

int ur_plan_pin(struct ur_plan *p, const char *rootfs, struct ur_err **err)
{
        for (unsigned i = 0; i < p->n_binds; i++) {
                struct ur_plan_bind *b = &p->binds[i];
                if (!(b->flags & UR_BIND_PIN) || b->fd >= 0)
                        continue;
                if (ur_path_pin_regular(rootfs, b->path, b->what, &b->fd, err) < 0)
                        return -1;
        }
        return 0;
}

void ur_plan_done(struct ur_plan *p)
{
        if (!p)
                return;
        free(p->id);
        ur_vm_done(&p->vm);
        ur_exec_done(&p->exec);
        binds_free(p);
        free(p->creds.groups);
        free(p->seccomp_policy);
        free(p->seccomp_dir);
        free(p->resolv_conf);
        ur_plan_init(p);
}
