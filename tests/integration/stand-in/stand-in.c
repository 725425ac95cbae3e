/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stand-in for the monitors that cannot be installed on the test machines
 * (firecracker, solo5-hvt, solo5-spt, cloud-hypervisor).  It is installed
 * under the monitor's name; the name it is called by (basename of argv[0])
 * says which monitor it plays.  It
 *
 *   1. parses its command line as that monitor does, strictly: an option
 *      the real monitor does not know, a missing value or a malformed one
 *      is an error (firecracker: the JSON configuration too, with its
 *      documented fields and types only);
 *   2. checks that the inputs make sense: the kernel (and initrd, block
 *      images) can be opened, read-only images aside block images are
 *      opened read-write, the tap named in argv or in the configuration
 *      exists and can be attached by name with TUNSETIFF (which fails with
 *      EBUSY while urunc still holds it), memory and vCPUs are positive;
 *      solo5: the kernel carries the test manifest and every device name
 *      given is declared in it;
 *   3. records all of it on stderr, as lines "record: KEY: VALUE" (argv,
 *      environment, open fds, the configuration file and its leaves, the
 *      kernel, the guest command line, each check), for the test to
 *      compare with COMPAT.md.  Stderr, because a confined monitor sees
 *      nothing of the host's filesystem but its inputs (src/security);
 *   4. prints a banner and the guest command line on stdout;
 *   5. behaves as a monitor whose guest runs the command line's tokens:
 *      "exit=N" exits N, "sleep=forever" waits until killed, "sleep=S"
 *      waits S seconds first.  Without tokens it exits 0.  SIGTERM, SIGINT
 *      and SIGHUP end it with 128 + the signal (recorded as "signal: N").
 *
 * A failed check prints "stand-in: error: ..." on stderr, records
 * "check: FAIL ..." and exits 99.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

extern char **environ;

static FILE *rec;
static const char *me = "stand-in";

static void record(const char *fmt, ...)
{
        va_list ap;
        if (!rec)
                return;
        fputs("record: ", rec);
        va_start(ap, fmt);
        vfprintf(rec, fmt, ap);
        va_end(ap);
        fputc('\n', rec);
        fflush(rec);
}

static _Noreturn void fail(const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s: error: %s\n", me, msg);
        record("check: FAIL %s", msg);
        exit(99);
}

static void check_file(const char *what, const char *path, bool write)
{
        int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0)
                fail("%s '%s': cannot open %s: %s", what, path, write ? "read-write" : "read-only",
                     strerror(errno));
        char c;
        if (read(fd, &c, 1) < 0)
                fail("%s '%s': cannot read: %s", what, path, strerror(errno));
        close(fd);
        record("ok: %s '%s' opens %s", what, path, write ? "read-write" : "read-only");
}

/* The tap fd stays open (attached) until exit, as a monitor's would. */
static void check_tap(const char *name)
{
        struct ifreq ifr = { 0 };
        if (strlen(name) >= IFNAMSIZ)
                fail("tap name '%s' is too long", name);
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                fail("open /dev/net/tun: %s", strerror(errno));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                fail("attach tap '%s' by name (TUNSETIFF): %s", name, strerror(errno));
        if (strcmp(ifr.ifr_name, name) != 0)
                fail("TUNSETIFF gave '%s', not the existing tap '%s' (it made a new one)", ifr.ifr_name, name);
        record("ok: tap '%s' attached by name", name);
}

static void check_mac(const char *mac)
{
        unsigned b[6];
        char end;
        if (sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
            strlen(mac) != 17)
                fail("MAC '%s' is not aa:bb:cc:dd:ee:ff", mac);
}

static unsigned long parse_num(const char *what, const char *s)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v == 0)
                fail("%s '%s' is not a positive number", what, s);
        return v;
}

/* ---- firecracker --------------------------------------------------------- */

static bool allowed(const char *key, const char *const *keys)
{
        for (; *keys; keys++)
                if (strcmp(*keys, key) == 0)
                        return true;
        return false;
}

/* Firecracker's configuration structs reject unknown fields. */
static void known_fields(const char *where, json_object *o, const char *const *keys)
{
        if (!json_object_is_type(o, json_type_object))
                fail("firecracker config: %s is not an object", where);
        json_object_object_foreach(o, k, v) {
                (void) v;
                if (!allowed(k, keys))
                        fail("firecracker config: unknown field '%s' in %s", k, where);
        }
}

static json_object *field(const char *where, json_object *o, const char *key, json_type t, bool required)
{
        json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v) {
                if (required)
                        fail("firecracker config: %s lacks '%s'", where, key);
                return NULL;
        }
        if (!json_object_is_type(v, t))
                fail("firecracker config: %s.%s has the wrong type", where, key);
        return v;
}

/* Records every leaf of the configuration as "json: a.b.0.c=<JSON value>",
 * for tests that have no JSON tool. */
static void record_leaves(const char *path, json_object *o)
{
        char sub[512];
        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
                        record_leaves(sub, v);
                }
        } else if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > 0) {
                for (size_t i = 0; i < json_object_array_length(o); i++) {
                        snprintf(sub, sizeof(sub), "%s.%zu", path, i);
                        record_leaves(sub, json_object_array_get_idx(o, i));
                }
        } else {
                record("json: %s=%s", path,
                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        }
}

static const char *firecracker(int argc, char **argv)
{
        const char *config = NULL;
        bool no_api = false;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--no-api") == 0)
                        no_api = true;
                else if (strcmp(argv[i], "--no-seccomp") == 0)
                        ;
                else if (strcmp(argv[i], "--config-file") == 0 && i + 1 < argc)
                        config = argv[++i];
                else
                        fail("firecracker: unknown or incomplete argument '%s'", argv[i]);
        }
        if (no_api && !config)
                fail("firecracker: --no-api needs --config-file");
        if (!config)
                fail("firecracker: no --config-file (this stand-in runs without an API socket only)");
        json_object *root = json_object_from_file(config);
        if (!root)
                fail("firecracker config '%s' does not parse: %s", config, json_util_get_last_err());
        const char *content = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
        record("config: %s", content);
        record_leaves("", root);

        static const char *const top[] = { "boot-source", "drives", "machine-config", "network-interfaces",
                                           "logger", "metrics", "mmds-config", "balloon", "vsock",
                                           "entropy", "cpu-config", NULL };
        static const char *const boot_keys[] = { "kernel_image_path", "boot_args", "initrd_path", NULL };
        static const char *const mc_keys[] = { "vcpu_count", "mem_size_mib", "smt", "track_dirty_pages",
                                               "cpu_template", "huge_pages", NULL };
        static const char *const drive_keys[] = { "drive_id", "path_on_host", "is_root_device",
                                                  "is_read_only", "partuuid", "cache_type", "rate_limiter",
                                                  "io_engine", "socket", NULL };
        static const char *const nic_keys[] = { "iface_id", "host_dev_name", "guest_mac", "rx_rate_limiter",
                                                "tx_rate_limiter", NULL };
        known_fields("the top level", root, top);

        json_object *boot = field("top level", root, "boot-source", json_type_object, true);
        known_fields("boot-source", boot, boot_keys);
        const char *kernel = json_object_get_string(field("boot-source", boot, "kernel_image_path",
                                                          json_type_string, true));
        check_file("kernel", kernel, false);
        json_object *ini = field("boot-source", boot, "initrd_path", json_type_string, false);
        if (ini)
                check_file("initrd", json_object_get_string(ini), false);
        json_object *args = field("boot-source", boot, "boot_args", json_type_string, false);

        json_object *mc = field("top level", root, "machine-config", json_type_object, true);
        known_fields("machine-config", mc, mc_keys);
        int vcpus = json_object_get_int(field("machine-config", mc, "vcpu_count", json_type_int, true));
        int64_t mem = json_object_get_int64(field("machine-config", mc, "mem_size_mib", json_type_int, true));
        field("machine-config", mc, "smt", json_type_boolean, false);
        if (vcpus < 1 || vcpus > 32)
                fail("firecracker config: vcpu_count %d is outside 1..32", vcpus);
        if (mem < 1)
                fail("firecracker config: mem_size_mib %lld is not positive", (long long) mem);
        record("vcpus: %d", vcpus);
        record("mem-mib: %lld", (long long) mem);

        json_object *drives = field("top level", root, "drives", json_type_array, false);
        for (size_t i = 0; drives && i < json_object_array_length(drives); i++) {
                json_object *d = json_object_array_get_idx(drives, i);
                known_fields("a drive", d, drive_keys);
                field("drive", d, "drive_id", json_type_string, true);
                field("drive", d, "is_root_device", json_type_boolean, true);
                json_object *ro = field("drive", d, "is_read_only", json_type_boolean, false);
                const char *p = json_object_get_string(field("drive", d, "path_on_host", json_type_string, true));
                check_file("drive", p, !(ro && json_object_get_boolean(ro)));
                record("block: %s", p);
        }
        json_object *nics = field("top level", root, "network-interfaces", json_type_array, false);
        for (size_t i = 0; nics && i < json_object_array_length(nics); i++) {
                json_object *n = json_object_array_get_idx(nics, i);
                known_fields("a network interface", n, nic_keys);
                field("network interface", n, "iface_id", json_type_string, true);
                json_object *mac = field("network interface", n, "guest_mac", json_type_string, false);
                if (mac) {
                        check_mac(json_object_get_string(mac));
                        record("mac: %s", json_object_get_string(mac));
                }
                const char *tap = json_object_get_string(field("network interface", n, "host_dev_name",
                                                               json_type_string, true));
                check_tap(tap);
                record("tap: %s", tap);
        }
        record("kernel: %s", kernel);
        return args ? strdup(json_object_get_string(args)) : strdup("");
}

/* ---- solo5 tenders --------------------------------------------------------- */

#define MANIFEST_MARK "urunc-stand-in-manifest:"

/* The test kernel's Solo5 note carries MANIFEST_MARK followed by its
 * device declarations ("net:NAME block:NAME ..."); the real manifest is a
 * binary table, which the stand-in does not need. */
static char *solo5_manifest(const char *kernel)
{
        int fd = open(kernel, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
                fail("kernel '%s': cannot read it", kernel);
        char *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (m == MAP_FAILED)
                fail("kernel '%s': mmap: %s", kernel, strerror(errno));
        if ((size_t) st.st_size < 4 || memcmp(m, "\x7f" "ELF", 4) != 0)
                fail("kernel '%s' is not an ELF file", kernel);
        char *hit = memmem(m, (size_t) st.st_size, MANIFEST_MARK, strlen(MANIFEST_MARK));
        if (!hit)
                fail("kernel '%s' has no solo5 manifest (the test kernel's note)", kernel);
        char *r = strndup(hit + strlen(MANIFEST_MARK), (size_t) (m + st.st_size - hit) - strlen(MANIFEST_MARK));
        munmap(m, (size_t) st.st_size);
        return r;
}

static void declared(const char *manifest, const char *kind, const char *name)
{
        char want[128];
        snprintf(want, sizeof(want), "%s:%s", kind, name);
        for (const char *p = manifest; p && *p;) {
                size_t l = strcspn(p, " ");
                if (l == strlen(want) && strncmp(p, want, l) == 0)
                        return;
                p += l;
                p += strspn(p, " ");
        }
        fail("solo5: %s device '%s' is not declared in the kernel's manifest (%s)", kind, name, manifest);
}

static const char *solo5(int argc, char **argv)
{
        int i = 1;
        bool mem = false;
        char *nets[8], *blocks[8];
        int n_net = 0, n_blk = 0;
        for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
                const char *a = argv[i];
                if (strncmp(a, "--mem=", 6) == 0) {
                        record("mem-mib: %lu", parse_num("--mem", a + 6));
                        mem = true;
                } else if (strncmp(a, "--net:", 6) == 0 || strncmp(a, "--block:", 8) == 0 ||
                           strncmp(a, "--net-mac:", 10) == 0) {
                        const char *name = strchr(a, ':') + 1, *eq = strchr(name, '=');
                        if (!eq || eq == name || !eq[1])
                                fail("solo5: malformed '%s' (want --x:NAME=VALUE)", a);
                        char *n = strndup(name, (size_t) (eq - name));
                        if (a[2] == 'b') {
                                if (n_blk < 8)
                                        blocks[n_blk++] = n;
                                check_file("block", eq + 1, true);
                                record("block: %s=%s", n, eq + 1);
                        } else if (a[5] == '-') {
                                check_mac(eq + 1);
                                record("mac: %s=%s", n, eq + 1);
                                free(n);
                        } else {
                                if (n_net < 8)
                                        nets[n_net++] = n;
                                if (eq[1] == '@')
                                        fail("solo5: '%s': urunc persists the tap and passes it by name", a);
                                check_tap(eq + 1);
                                record("tap: %s=%s", n, eq + 1);
                        }
                } else {
                        fail("solo5: unknown option '%s'", a);
                }
        }
        if (!mem)
                fail("solo5: no --mem= (the tender's default is not what urunc computed)");
        if (i >= argc)
                fail("solo5: no kernel after the options");
        const char *kernel = argv[i++];
        check_file("kernel", kernel, false);
        char *manifest = solo5_manifest(kernel);
        record("manifest: %s", manifest);
        for (int k = 0; k < n_net; k++)
                declared(manifest, "net", nets[k]);
        for (int k = 0; k < n_blk; k++)
                declared(manifest, "block", blocks[k]);
        record("kernel: %s", kernel);
        /* The tender hands the remaining words to the guest joined by blanks. */
        size_t len = 1;
        for (int k = i; k < argc; k++)
                len += strlen(argv[k]) + 1;
        char *cmd = calloc(1, len);
        for (int k = i; k < argc; k++) {
                if (k > i)
                        strcat(cmd, " ");
                strcat(cmd, argv[k]);
        }
        record("guest-words: %d", argc - i);
        if (i < argc && argv[i][0] == '{') {
                /* rumprun: its configuration must be one valid JSON document */
                json_object *doc = json_tokener_parse(argv[i]);
                if (!doc || !json_object_is_type(doc, json_type_object))
                        fail("solo5: the guest configuration '%s' is not a JSON object", argv[i]);
                record("guest-json: ok");
                json_object_put(doc);
        }
        return cmd;
}

/* ---- cloud-hypervisor ---------------------------------------------------- */

/* "k=v,k=v": the value of key, or NULL; unknown keys fail. */
static char *kv(const char *opt, const char *s, const char *key, const char *const *keys)
{
        char *found = NULL;
        for (const char *p = s; *p;) {
                size_t l = strcspn(p, ",");
                const char *eq = memchr(p, '=', l);
                if (!eq)
                        fail("cloud-hypervisor: %s '%s': '%.*s' is not key=value", opt, s, (int) l, p);
                char *k = strndup(p, (size_t) (eq - p));
                if (!allowed(k, keys))
                        fail("cloud-hypervisor: %s '%s': unknown key '%s'", opt, s, k);
                if (strcmp(k, key) == 0)
                        found = strndup(eq + 1, l - (size_t) (eq - p) - 1);
                free(k);
                p += l;
                if (*p == ',')
                        p++;
        }
        return found;
}

static const char *cloud_hypervisor(int argc, char **argv)
{
        static const char *const cpu_keys[] = { "boot", "max", "topology", "kvm_hyperv", "max_phys_bits",
                                                "affinity", "features", NULL };
        static const char *const mem_keys[] = { "size", "mergeable", "shared", "hugepages", "hugepage_size",
                                                "hotplug_method", "hotplug_size", "prefault", "thp", NULL };
        static const char *const net_keys[] = { "tap", "ip", "mask", "mac", "host_mac", "mtu", "iommu",
                                                "num_queues", "queue_size", "id", "fd", "vhost_user",
                                                "socket", "vhost_mode", "bw_size", "bw_refill_time",
                                                "ops_size", "ops_refill_time", "pci_segment",
                                                "offload_tso", "offload_ufo", "offload_csum", NULL };
        static const char *const disk_keys[] = { "path", "readonly", "direct", "iommu", "num_queues",
                                                 "queue_size", "vhost_user", "socket", "bw_size",
                                                 "bw_refill_time", "ops_size", "ops_refill_time", "id",
                                                 "pci_segment", "rate_limit_group", "serial", NULL };
        const char *kernel = NULL, *cmdline = NULL;
        bool cpus = false, memory = false;
        for (int i = 1; i < argc; i++) {
                const char *o = argv[i];
                if (strcmp(o, "-v") == 0)
                        continue;
                if (strncmp(o, "--", 2) != 0)
                        fail("cloud-hypervisor: unexpected argument '%s'", o);
                if (i + 1 >= argc)
                        fail("cloud-hypervisor: %s needs a value", o);
                /* --disk and --net take one or more values. */
                bool multi = strcmp(o, "--disk") == 0 || strcmp(o, "--net") == 0;
                do {
                        const char *v = argv[++i];
                        if (strcmp(o, "--kernel") == 0) {
                                kernel = v;
                                check_file("kernel", v, false);
                        } else if (strcmp(o, "--initramfs") == 0) {
                                check_file("initrd", v, false);
                        } else if (strcmp(o, "--cmdline") == 0) {
                                cmdline = v;
                        } else if (strcmp(o, "--cpus") == 0) {
                                char *b = kv(o, v, "boot", cpu_keys);
                                record("vcpus: %lu", b ? parse_num("--cpus boot", b) : 1ul);
                                cpus = true;
                                free(b);
                        } else if (strcmp(o, "--memory") == 0) {
                                char *s = kv(o, v, "size", mem_keys);
                                size_t l = s ? strlen(s) : 0;
                                if (!s || l < 2 || s[l - 1] != 'M')
                                        fail("cloud-hypervisor: --memory '%s': this stand-in expects size=<N>M", v);
                                s[l - 1] = '\0';
                                record("mem-mib: %lu", parse_num("--memory size", s));
                                memory = true;
                                free(s);
                        } else if (strcmp(o, "--net") == 0) {
                                char *tap = kv(o, v, "tap", net_keys), *mac = kv(o, v, "mac", net_keys);
                                if (!tap)
                                        fail("cloud-hypervisor: --net '%s' names no tap", v);
                                if (mac) {
                                        check_mac(mac);
                                        record("mac: %s", mac);
                                }
                                check_tap(tap);
                                record("tap: %s", tap);
                                free(tap);
                                free(mac);
                        } else if (strcmp(o, "--disk") == 0) {
                                char *p = kv(o, v, "path", disk_keys), *ro = kv(o, v, "readonly", disk_keys);
                                if (!p)
                                        fail("cloud-hypervisor: --disk '%s' has no path", v);
                                check_file("disk", p, !(ro && strcmp(ro, "on") == 0));
                                record("block: %s", p);
                                free(p);
                                free(ro);
                        } else if (strcmp(o, "--console") == 0 || strcmp(o, "--serial") == 0) {
                                if (strcmp(v, "off") && strcmp(v, "tty") && strcmp(v, "null") &&
                                    strcmp(v, "pty") && strncmp(v, "file=", 5) && strncmp(v, "socket=", 7))
                                        fail("cloud-hypervisor: %s '%s' is not off|null|tty|pty|file=|socket=", o, v);
                                record("%s: %s", o + 2, v);
                        } else if (strcmp(o, "--seccomp") == 0) {
                                if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "log"))
                                        fail("cloud-hypervisor: --seccomp '%s' is not true|false|log", v);
                        } else {
                                fail("cloud-hypervisor: unknown option '%s'", o);
                        }
                } while (multi && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0);
        }
        if (!kernel)
                fail("cloud-hypervisor: no --kernel");
        if (!cpus || !memory)
                fail("cloud-hypervisor: --cpus and --memory must be given (its defaults are 1 vCPU, 512 MiB)");
        record("kernel: %s", kernel);
        return strdup(cmdline ? cmdline : "");
}

/* ---- the guest's behaviour -------------------------------------------- */

/* The last "exit=N"/"sleep=S" word of the command line (words may be
 * glued to JSON punctuation, as in rumprun's configuration). */
static const char *token(const char *cmd, const char *key)
{
        const char *last = NULL;
        size_t kl = strlen(key);
        for (const char *p = cmd; (p = strstr(p, key)); p += kl)
                if (p == cmd || strchr(" \"{[,:", p[-1]))
                        last = p + kl;
        return last;
}

/* As a real monitor does: SIGTERM/SIGINT/SIGHUP end it (a pid
 * namespace's init ignores signals it has no handler for). */
static void on_signal(int sig)
{
        char msg[64];
        int n = snprintf(msg, sizeof(msg), "record: signal: %d\n", sig);
        if (rec && n > 0 && write(fileno(rec), msg, (size_t) n) < 0)
                _exit(128 + sig);
        _exit(128 + sig);
}

int main(int argc, char **argv)
{
        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);

        const char *slash = strrchr(argv[0], '/');
        me = slash ? slash + 1 : argv[0];
        rec = stderr;
        record("monitor: %s", me);
        record("pid: %d", (int) getpid());
        for (int i = 0; i < argc; i++)
                record("argv[%d]: %s", i, argv[i]);
        for (char **e = environ; *e; e++)
                record("env: %s", *e);
        for (int fd = 3; fd < 64; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        record("open-fd: %d", fd);

        const char *cmd;
        if (strcmp(me, "firecracker") == 0)
                cmd = firecracker(argc, argv);
        else if (strcmp(me, "solo5-hvt") == 0 || strcmp(me, "solo5-spt") == 0)
                cmd = solo5(argc, argv);
        else if (strcmp(me, "cloud-hypervisor") == 0)
                cmd = cloud_hypervisor(argc, argv);
        else
                fail("called as '%s': not a monitor this stand-in plays", me);
        record("cmdline: %s", cmd);
        record("check: ok");

        printf("urunc-stand-in: %s\ncmdline: %s\n", me, cmd);
        fflush(stdout);

        const char *s = token(cmd, "sleep=");
        if (s && strncmp(s, "forever", 7) == 0) {
                record("state: waiting until killed");
                for (;;)
                        pause();
        }
        if (s)
                sleep((unsigned) atoi(s));
        const char *x = token(cmd, "exit=");
        int status = x ? atoi(x) : 0;
        record("exit: %d", status);
        printf("exit: %d\n", status);
        return status;
}
