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
#include <poll.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
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

/*
 * The kernel's Solo5 notes, read as the tenders do (tenders/common/elf.c):
 * each PT_NOTE segment's first note; "Solo5" ABI1 (the target) and MFT1
 * (the manifest: 4 bytes of padding, version, entries, 104-byte entries
 * with the name at 0 and the type at 68).  Written apart from urunc's
 * reader (src/vm/kernel.c), so the two check each other.
 */
struct s5dev {
        char name[68];
        unsigned type; /* 1 block, 2 net */
        bool attached;
};
static struct s5dev s5devs[64];
static unsigned n_s5devs, s5target;

static void solo5_notes(const char *kernel)
{
        int fd = open(kernel, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 64)
                fail("kernel '%s': cannot read it", kernel);
        unsigned char *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (m == MAP_FAILED)
                fail("kernel '%s': mmap: %s", kernel, strerror(errno));
        size_t size = (size_t) st.st_size;
        if (memcmp(m,
                   "\x7f"
                   "ELF",
                   4) != 0 ||
            m[4] != 2)
                fail("kernel '%s' is not an ELF64 file", kernel);
        uint64_t phoff;
        uint16_t phentsize, phnum;
        memcpy(&phoff, m + 32, 8);
        memcpy(&phentsize, m + 54, 2);
        memcpy(&phnum, m + 56, 2);
        bool have_mft = false;
        for (unsigned i = 0; i < phnum; i++) {
                const unsigned char *ph = m + phoff + (size_t) i * phentsize;
                uint32_t type;
                uint64_t off, filesz;
                if (phoff + (size_t) (i + 1) * phentsize > size)
                        fail("kernel '%s': program headers beyond the file", kernel);
                memcpy(&type, ph, 4);
                memcpy(&off, ph + 8, 8);
                memcpy(&filesz, ph + 32, 8);
                if (type != 4 /* PT_NOTE */ || filesz < 20 || off + filesz > size)
                        continue;
                const unsigned char *n = m + off;
                uint32_t namesz, descsz, ntype;
                memcpy(&namesz, n, 4);
                memcpy(&descsz, n + 4, 4);
                memcpy(&ntype, n + 8, 4);
                if (namesz != 6 || memcmp(n + 12, "Solo5", 6) != 0 || 20 + (uint64_t) descsz > filesz)
                        continue;
                if (ntype == 0x31494241) { /* ABI1 */
                        memcpy(&s5target, n + 20, 4);
                } else if (ntype == 0x3154464d) { /* MFT1 */
                        const unsigned char *d = n + 24;
                        uint32_t version, entries;
                        memcpy(&version, d, 4);
                        memcpy(&entries, d + 4, 4);
                        if (version != 1 || entries < 1 || entries > 64 || descsz != 12 + entries * 104)
                                fail("kernel '%s': Solo5 manifest is invalid", kernel);
                        for (uint32_t e = 1; e < entries; e++) {
                                struct s5dev *dv = &s5devs[n_s5devs++];
                                memcpy(dv->name, d + 8 + e * 104, 68);
                                memcpy(&dv->type, d + 8 + e * 104 + 68, 4);
                                if (dv->name[67])
                                        fail("kernel '%s': Solo5 manifest is invalid", kernel);
                        }
                        have_mft = true;
                }
        }
        munmap(m, size);
        if (!s5target)
                fail("kernel '%s': No Solo5 ABI information found in executable", kernel);
        if (!have_mft)
                fail("kernel '%s': No Solo5 manifest found in executable", kernel);
}

/* --net:NAME= / --block:NAME=: as the tenders, the device must be declared
 * with that type (and NAME letters and digits); it is then attached. */
static void attach(const char *kind, const char *name)
{
        unsigned type = strcmp(kind, "net") == 0 ? 2 : 1;
        for (const char *c = name; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        fail("solo5: Invalid option: %s name '%s' (letters and digits only)", kind, name);
        for (unsigned i = 0; i < n_s5devs; i++)
                if (s5devs[i].type == type && strcmp(s5devs[i].name, name) == 0) {
                        if (s5devs[i].attached)
                                fail("solo5: %s device '%s' given twice", kind, name);
                        s5devs[i].attached = true;
                        return;
                }
        fail("solo5: Resource not declared in manifest: %s '%s'", kind, name);
}

/*
 * What the real tenders do on the host beyond the stand-in's own checks
 * (traced from Solo5 v0.12.1, see policy/seccomp/spt.policy and
 * hvt.policy), so that a seccomp policy that lacks any of it kills the
 * stand-in as it would kill the tender: personality, epoll and a timerfd,
 * with a NIC getifaddrs() (netlink) and SIOCGIFMTU, on hvt with a NIC an
 * eventfd and a network thread joined at the end, then the tender's own
 * filter (exported through a memfd, no_new_privs, seccomp).  The filter
 * installed here allows everything.
 */
static void *net_thread(void *arg)
{
        return arg;
}

static pthread_t net_tid;
static bool net_thread_started;

static void tender_syscalls(bool hvt, const char *tap)
{
        if (syscall(SYS_personality, 0xffffffffUL) < 0)
                fail("personality: %s", strerror(errno));
        int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN};
        struct itimerspec its = {.it_value = {0, 1000}};
        if (ep < 0 || tfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) < 0 ||
            timerfd_settime(tfd, 0, &its, NULL) < 0 || epoll_pwait(ep, &ev, 1, 100, NULL) < 0)
                fail("epoll/timerfd: %s", strerror(errno));
        struct timespec ts;
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts); /* the spt guest's, no vDSO */
        close(tfd);
        close(ep);
        if (tap) {
                struct ifaddrs *ifa = NULL;
                if (getifaddrs(&ifa) < 0)
                        fail("getifaddrs: %s", strerror(errno));
                freeifaddrs(ifa);
                int sk = socket(AF_INET, SOCK_DGRAM, 0);
                struct ifreq ifr = {0};
                snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
                if (sk < 0 || ioctl(sk, SIOCGIFMTU, &ifr) < 0)
                        fail("SIOCGIFMTU on '%s': %s", tap, strerror(errno));
                close(sk);
                record("tap-mtu: %d", ifr.ifr_mtu);
                if (hvt) {
                        int efd = eventfd(0, EFD_CLOEXEC);
                        if (efd < 0 || pthread_create(&net_tid, NULL, net_thread, NULL) != 0)
                                fail("eventfd/net thread: %s", strerror(errno));
                        net_thread_started = true;
                }
        }
        int mfd = (int) syscall(SYS_memfd_create, "bpf_filter", 0);
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = {.len = 1, .filter = &allow};
        struct stat st;
        if (mfd < 0 || write(mfd, &allow, sizeof(allow)) != sizeof(allow) || fstat(mfd, &st) < 0 ||
            lseek(mfd, 0, SEEK_SET) < 0 || read(mfd, &allow, sizeof(allow)) != sizeof(allow))
                fail("memfd: %s", strerror(errno));
        close(mfd);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                fail("the tender's own filter: %s", strerror(errno));
        record("tender-syscalls: ok");
}

/* At the guest's exit (hvt): the net thread is joined. */
static void tender_exit(void)
{
        if (net_thread_started)
                pthread_join(net_tid, NULL);
}

static const char *solo5(int argc, char **argv)
{
        int i = 1;
        /* The kernel first (the first word not an option): the tenders load
         * its notes before the modules take their options. */
        for (int k = 1; k < argc; k++)
                if (strncmp(argv[k], "--", 2) != 0) {
                        check_file("kernel", argv[k], false);
                        solo5_notes(argv[k]);
                        break;
                }
        unsigned want = strcmp(me, "solo5-hvt") == 0 ? 1 : 2;
        if (s5target != want)
                fail("solo5: Executable is not for the %s target (its ABI1 note says %u)", me, s5target);
        const char *tap = NULL;
        bool mem = false;
        for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
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
                                attach("block", n);
                                check_file("block", eq + 1, true);
                                record("block: %s=%s", n, eq + 1);
                        } else if (a[5] == '-') {
                                check_mac(eq + 1);
                                record("mac: %s=%s", n, eq + 1);
                        } else {
                                attach("net", n);
                                if (eq[1] == '@')
                                        fail("solo5: '%s': urunc persists the tap and passes it by name", a);
                                check_tap(eq + 1);
                                tap = eq + 1;
                                record("tap: %s=%s", n, eq + 1);
                        }
                        free(n);
                } else {
                        fail("solo5: unknown option '%s'", a);
                }
        }
        if (!mem)
                fail("solo5: no --mem= (the tender's default is not what urunc computed)");
        if (i >= argc)
                fail("solo5: no kernel after the options");
        const char *kernel = argv[i++];
        for (unsigned k = 0; k < n_s5devs; k++) {
                record("manifest: %s %s", s5devs[k].type == 2 ? "net" : "block", s5devs[k].name);
                if (!s5devs[k].attached)
                        fail("solo5: Device '%s' of type %s declared but not attached", s5devs[k].name,
                             s5devs[k].type == 2 ? "NET_BASIC" : "BLOCK_BASIC");
        }
        record("kernel: %s", kernel);
        tender_syscalls(want == 1, tap);
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

/* Waits ms milliseconds (-1: until killed) with epoll_pwait, as a tender
 * blocks in solo5_yield: nothing a tender's seccomp policy lacks. */
static void tender_wait(int ms)
{
        int ep = epoll_create1(0);
        struct epoll_event ev;
        if (ep < 0)
                fail("epoll_create1: %s", strerror(errno));
        do
                epoll_pwait(ep, &ev, 1, ms, NULL);
        while (ms < 0);
        close(ep);
}

int main(int argc, char **argv)
{
        const char *slash = strrchr(argv[0], '/');
        me = slash ? slash + 1 : argv[0];
        rec = stderr;
        bool solo5_tender = strcmp(me, "solo5-hvt") == 0 || strcmp(me, "solo5-spt") == 0;
        /* Under urunc's seccomp policy (prctl is one a tender makes), a
         * tender stand-in makes only the syscalls the real tender makes:
         * no getpid, no fcntl, and on spt (which has none) no signal
         * handlers. */
        int seccomp_mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
        bool strict = solo5_tender && seccomp_mode == 2;
        if (!strict || strcmp(me, "solo5-hvt") == 0) {
                struct sigaction sa = {.sa_handler = on_signal};
                sigaction(SIGTERM, &sa, NULL);
                sigaction(SIGINT, &sa, NULL);
                sigaction(SIGHUP, &sa, NULL);
        }
        record("monitor: %s", me);
        record("seccomp-mode: %d", seccomp_mode);
        if (!strict)
                record("pid: %d", (int) getpid());
        for (int i = 0; i < argc; i++)
                record("argv[%d]: %s", i, argv[i]);
        for (char **e = environ; *e; e++)
                record("env: %s", *e);
        for (int fd = 3; fd < 64 && !strict; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        record("open-fd: %d", fd);

        const char *cmd;
        if (strcmp(me, "firecracker") == 0)
                cmd = firecracker(argc, argv);
        else if (solo5_tender)
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
                if (solo5_tender)
                        tender_wait(-1);
                /* poll, not pause: a call real monitors make and their
                 * policies allow (they run under them by default). */
                for (;;)
                        poll(NULL, 0, -1);
        }
        if (s && solo5_tender)
                tender_wait(atoi(s) * 1000);
        else if (s)
                sleep((unsigned) atoi(s));
        const char *x = token(cmd, "exit=");
        int status = x ? atoi(x) : 0;
        record("exit: %d", status);
        printf("exit: %d\n", status);
        fflush(stdout);
        if (solo5_tender)
                tender_exit();
        return status;
}
