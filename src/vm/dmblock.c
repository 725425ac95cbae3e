/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/dmblock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/path.h"

/* mountinfo's octal escapes (\040 for a blank, ...), in place. */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

int ur_rootfs_block(const char *mountinfo, const char *rootfs, char **ret_dev, char **ret_fstype,
                    struct ur_err **err)
{
        _cleanup_free_ char *real = realpath(rootfs, NULL), *text = NULL, *dev = NULL, *fstype = NULL;
        unsigned maj = 0, min = 0;
        size_t len;

        if (!real)
                return ur_err_set(err, errno, "rootfs '%s'", rootfs);
        if (ur_read_file(mountinfo, 16u << 20, &text, &len, err) < 0)
                return -1;
        /* The last mount at the path is the one on top. */
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                char *f[6] = {0}, *sep = strstr(line, " - "), *s2 = NULL;
                unsigned ma, mi;
                if (!sep)
                        continue;
                *sep = '\0';
                char *p = line;
                for (int i = 0; i < 6 && p; i++)
                        f[i] = strtok_r(i == 0 ? p : NULL, " ", &s2);
                if (!f[4] || !f[3] || !f[2] || sscanf(f[2], "%u:%u", &ma, &mi) != 2)
                        continue;
                unescape(f[4]);
                unescape(f[3]);
                if (strcmp(f[4], real) != 0)
                        continue;
                free(dev);
                free(fstype);
                dev = fstype = NULL;
                /* The whole filesystem, not a subdirectory of it. */
                if (strcmp(f[3], "/") != 0)
                        continue;
                char *s3 = NULL, *ft = strtok_r(sep + 3, " ", &s3), *src = strtok_r(NULL, " ", &s3);
                if (!ft || !src)
                        continue;
                unescape(src);
                dev = strdup(src);
                fstype = strdup(ft);
                if (!dev || !fstype)
                        return ur_err_set(err, ENOMEM, "mountinfo");
                maj = ma, min = mi;
        }
        struct stat st;
        if (!dev || dev[0] != '/' || stat(dev, &st) < 0 || !S_ISBLK(st.st_mode) || major(st.st_rdev) != maj ||
            minor(st.st_rdev) != min) {
                *ret_dev = *ret_fstype = NULL;
                return 0;
        }
        *ret_dev = TAKE_PTR(dev);
        *ret_fstype = TAKE_PTR(fstype);
        return 1;
}

/* Copy the regular file host (inside root) to dst. */
static int copy_out(const char *root, const char *host, const char *dst, const char *what,
                    struct ur_err **err)
{
        _cleanup_close_ int pin = -1, in = -1, out = -1;
        char p[64], buf[65536];
        ssize_t r;

        if (ur_path_pin_regular(root, host, what, &pin, err) < 0)
                return -1;
        snprintf(p, sizeof(p), "/proc/self/fd/%d", pin);
        in = open(p, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return ur_err_set(err, errno, "%s '%s'", what, host);
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0)
                return ur_err_set(err, errno, "%s: create '%s'", what, dst);
        while ((r = read(in, buf, sizeof(buf))) != 0) {
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return ur_err_set(err, errno, "%s '%s': read", what, host);
                for (ssize_t o = 0; o < r;) {
                        ssize_t w = write(out, buf + o, (size_t) (r - o));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return ur_err_set(err, errno, "%s: write '%s'", what, dst);
                        o += w;
                }
        }
        return 0;
}

int ur_vm_dm_detach(struct ur_vm *vm, const char *state_dir, struct ur_err **err)
{
        _cleanup_free_ char *dir = ur_path_join(state_dir, UR_DM_BOOT_DIR), *k = NULL, *i = NULL;

        if (!vm->dm_root)
                return 0;
        if (!dir || !(k = ur_path_join(dir, "kernel")) || (vm->initrd && !(i = ur_path_join(dir, "initrd"))))
                return ur_err_set(err, ENOMEM, "useDMBlock");
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return ur_err_set(err, errno, "useDMBlock: mkdir '%s'", dir);
        if (copy_out(vm->rootfs, vm->kernel, k, "kernel", err) < 0 ||
            (i && copy_out(vm->rootfs, vm->initrd, i, "initrd", err) < 0))
                return ur_err_wrap(err, "useDMBlock: copy out of the rootfs");
        free(vm->kernel);
        vm->kernel = TAKE_PTR(k);
        if (i) {
                free(vm->initrd);
                vm->initrd = TAKE_PTR(i);
        }
        /* Only the guest may have the filesystem mounted: a host mount
         * left behind (even detached) would write its own superblock. */
        if (umount2(vm->rootfs, UMOUNT_NOFOLLOW) < 0)
                return ur_err_set(err, errno,
                                  "useDMBlock: unmount the rootfs '%s' (so that the guest alone mounts '%s')",
                                  vm->rootfs, vm->blocks[0].path);
        ur_log_info("useDMBlock: rootfs '%s' unmounted, device '%s' is the guest's root", vm->rootfs,
                    vm->blocks[0].path);
        return 0;
}
