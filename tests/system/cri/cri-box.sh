#!/bin/bash
# cri-box.sh - containerd's CRI plugin set up as a Kubernetes node would
# have it, inside a systemd box (../lib/systemd-box.sh), for
# test-urunc-cri.sh and the pod bench.  Sourced INSIDE the box.
#
# Needs SRC (the source tree), URUNC, NETG, HELLO (paths visible in the box).
#
#   cri_setup_node     urunc at /usr/local/sbin (+ seccomp policies), a
#                      containerd config written here with
#                      contrib/kubernetes/containerd-config-v2.toml appended,
#                      a bridge + host-local CNI network on 10.88.64.0/24,
#                      containerd started
#   cri_build_images   pause (static, from pause.c), unikernel and busybox
#                      images built offline, imported into k8s.io
#   cri ARGS...        the CRI client (cri.py), CRI_GEN in the box's /tmp
#   podjson NAME [ANNOTATIONS]      a PodSandboxConfig as kubelet writes it
#                      (systemd cgroup driver: cgroup_parent
#                      kubepods-burstable-pod<UID>.slice; pid CONTAINER)
#   ctrjson NAME IMAGE [ANNOTATIONS] [ARGS]   a ContainerConfig with a
#                      256 MiB memory limit and one CPU of quota
#   pod_uid NAME       the uid podjson gives pod NAME
#   cri_leftovers      print what a removed pod may leave; status 1 if any
#   http_code IP       the status code of GET / (one try, 3 s)
#   cri_bench_marks CID WALL0 LOG TSLOG   for the pod bench: "qemu=MS
#                      first=MS ready=MS", milliseconds from WALL0 (cri.py
#                      podup's wall0) to urunc's start-exec of container CID
#                      in TSLOG (urunc's [timestamps]) and to the first line
#                      and the "net: ready" line of the pod log LOG (the
#                      times containerd wrote them); "-" for what is missing

CRI_NET=10.88.64
CRI_NETNAME=cri-test
CRI_IMG=docker.io/urunc
export CRI_GEN=/tmp/cri-gen

cri() { /usr/bin/python3 "$SRC/tests/system/cri/cri.py" "$@"; }
kctr() { command ctr -n k8s.io "$@"; }

cri_setup_node() {
	# as `meson install` with the default prefix: binary and seccomp policies
	install -m 0755 "$URUNC" /usr/local/sbin/urunc
	install -D -m 0644 -t /usr/local/share/urunc/seccomp "$SRC"/policy/seccomp/*.policy
	mkdir -p /etc/containerd /etc/cni/$CRI_NETNAME.d
	# The node's own settings: the pause image (built offline, never
	# pulled), the CNI network, and restrict_oom_score_adj because nothing
	# in this box has CAP_SYS_RESOURCE (no sandbox starts without it, with
	# any runtime).  Then the runtime section exactly as contrib has it.
	cat >/etc/containerd/config.toml <<-EOF
	version = 2
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "$CRI_IMG/pause:test"
	  restrict_oom_score_adj = true
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "/usr/lib/cni"
	    conf_dir = "/etc/cni/$CRI_NETNAME.d"
	EOF
	grep -v '^version = ' "$SRC/contrib/kubernetes/containerd-config-v2.toml" >>/etc/containerd/config.toml
	cat >/etc/cni/$CRI_NETNAME.d/10-$CRI_NETNAME.conflist <<-EOF
	{
	  "cniVersion": "1.0.0",
	  "name": "$CRI_NETNAME",
	  "plugins": [
	    {
	      "type": "bridge",
	      "bridge": "cri0",
	      "isGateway": true,
	      "ipMasq": false,
	      "ipam": {
	        "type": "host-local",
	        "ranges": [[{"subnet": "$CRI_NET.0/24"}]],
	        "routes": [{"dst": "0.0.0.0/0"}]
	      }
	    }
	  ]
	}
	EOF
	systemctl restart containerd
	local i
	for i in $(seq 100); do cri version >/dev/null 2>&1 && break; sleep 0.1; done
	cri version
}

cri_build_images() {
	local t=/tmp/cri-images
	mkdir -p $t/pause
	. "$SRC/tests/system/lib/images.sh"
	# the sandbox image: one static binary
	gcc -static -Os -s -o $t/pause/pause "$SRC/tests/system/cri/pause.c"
	image_build_oci $t/pause.tar $CRI_IMG/pause:test $t/pause --entrypoint '["/pause"]'
	local B=$SRC/contrib/images/build-unikernel-image.sh
	# the metadata in /urunc.json only (CRI passes no image annotations)
	$B --no-annotations --cmd '["net"]' "$NETG" $CRI_IMG/net:test $t/net.tar >/dev/null
	# The guest exits by itself.  exit=3, not 0: until the supervisor
	# work lands a test guest's exit 0 ends in a triple fault, which hangs
	# QEMU under this machine's nested KVM.
	$B --no-annotations --cmd '["hello","exit=3"]' "$HELLO" $CRI_IMG/hello:test $t/hello.tar >/dev/null
	# no metadata at all: annotations must say what to boot
	mkdir -p $t/bare/unikernel
	cp "$NETG" $t/bare/unikernel/net.pvh
	image_build_oci $t/bare.tar $CRI_IMG/net-bare:test $t/bare --cmd '["net"]'
	# an ordinary container for runc: busybox httpd
	image_busybox_rootfs $t/bb
	mkdir -p $t/bb/www
	echo "busybox httpd ok" >$t/bb/www/index.html
	# the sidecar of the routed pod: its own server on :8012, then every
	# second GET / of the guest at the in-pod address, 127.0.0.1 and the
	# pod IP, and a ping of the gateway, each result a line on stdout
	# (timeout, not wget -T: busybox 1.35's static wget crashes with -T)
	cat >$t/bb/sidecar.sh <<-'EOF'
	b=/bin/busybox
	$b httpd -p 8012 -h /www
	ip=$($b ip -4 -o addr show dev eth0 | $b awk '{ sub("/.*", "", $4); print $4 }')
	gw=$($b ip route | $b awk '/^default/ { print $3 }')
	while :; do
		for a in 169.254.100.2 127.0.0.1 $ip; do
			echo "sidecar GET $a: $($b timeout 3 $b wget -q -S -O /dev/null http://$a/ 2>&1 | $b head -1 | $b sed 's/^ *//')"
		done
		$b ping -c 1 -W 2 $gw >/dev/null 2>&1 && echo "sidecar ping $gw: ok" || echo "sidecar ping $gw: lost"
		$b sleep 1
	done
	EOF
	image_build_oci $t/bb.tar docker.io/library/bb-httpd:test $t/bb \
		--cmd '["/bin/busybox","httpd","-f","-p","80","-h","/www"]'
	local i
	for i in pause net hello bare bb; do kctr image import $t/$i.tar >/dev/null; done
	kctr image ls -q
}

pod_uid() { printf '%s' "$1" | md5sum | cut -c1-16; }

podjson() {
	local n=$1 ann=${2:-"{}"} uid
	uid=$(pod_uid "$n")
	cat <<-EOF
	{"metadata": {"name": "$n", "uid": "$uid", "namespace": "default"},
	 "hostname": "$n",
	 "log_directory": "/var/log/pods/default_${n}_$uid",
	 "annotations": $ann,
	 "linux": {"cgroup_parent": "kubepods-burstable-pod$uid.slice",
	           "security_context": {"namespace_options": {"pid": "CONTAINER"}}}}
	EOF
}

ctrjson() {
	local n=$1 img=$2 ann=${3:-"{}"} args=${4:-"[]"}
	cat <<-EOF
	{"metadata": {"name": "$n"},
	 "image": {"image": "$img"},
	 "args": $args,
	 "annotations": $ann,
	 "log_path": "$n/0.log",
	 "linux": {"resources": {"cpu_period": 100000, "cpu_quota": 100000, "cpu_shares": 1024,
	                         "memory_limit_in_bytes": 268435456},
	           "security_context": {"namespace_options": {"pid": "CONTAINER"}}}}
	EOF
}

http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$1/" || true; }

# jq-less JSON field access: jget EXPR < JSON (EXPR in Python on `d`)
jget() { /usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# the pid of a container's task, as containerd's verbose status has it
ctr_pid() { cri inspect "$1" | jget 'json.loads(d["info"]["info"])["pid"]'; }
ctr_state() { cri inspect "$1" | jget 'd["status"].get("state", "CONTAINER_CREATED")'; }
pod_state() { cri inspectp "$1" | jget 'd["status"].get("state", "SANDBOX_READY")'; }

cri_leftovers() {
	local bad=0
	left() { if [ -n "$2" ]; then printf 'left: %s:\n%s\n' "$1" "$2"; bad=1; fi; }
	left "CRI pods" "$(cri pods | grep '"id"')"
	left "CRI containers" "$(cri ps | grep '"id"')"
	# (one name per pgrep: procps ignores a -x pattern longer than 15 characters)
	left processes "$(for p in qemu-system-x86 containerd-shim pause busybox; do pgrep -a -x $p; done)"
	left units "$(systemctl list-units --all --plain --no-legend 'cri-containerd-*' 'urunc-*' 'runc-*')"
	left "runtime state (runc, urunc)" "$(find /run/containerd/runc/k8s.io /run/urunc -mindepth 1 -maxdepth 1 2>/dev/null)"
	left "shim dirs" "$(find /run/containerd/io.containerd.runtime.v2.task/k8s.io -mindepth 1 -maxdepth 1 2>/dev/null)"
	left "CRI sandbox/container dirs" "$(find /run/containerd/io.containerd.grpc.v1.cri/sandboxes \
		/run/containerd/io.containerd.grpc.v1.cri/containers \
		/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes \
		/var/lib/containerd/io.containerd.grpc.v1.cri/containers -mindepth 1 -maxdepth 1 2>/dev/null)"
	left netns "$(ip netns list)"
	left veth "$(ip -o link show type veth)"
	left tap "$(ip -o link show type tun)"
	left "IP leases" "$(find /var/lib/cni/networks/$CRI_NETNAME -mindepth 1 -maxdepth 1 \
		! -name 'last_reserved_ip.*' ! -name lock 2>/dev/null)"
	return $bad
}

cri_bench_marks() {
	local cid=$1 wall0=$2 log=$3 tslog=$4 ns ts first=- ready=- qemu=-
	ms_since() { awk -v a="$wall0" -v b="$1" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
	ns=$(awk -v id="$cid" '$1 == id && $2 == "start-exec" { print $3; exit }' "$tslog" 2>/dev/null)
	[ -n "$ns" ] && qemu=$(ms_since "${ns:0:-9}.${ns: -9}")
	ts=$(head -1 "$log" 2>/dev/null | cut -d' ' -f1)
	[ -n "$ts" ] && first=$(ms_since "$(date -d "$ts" +%s.%N)")
	ts=$(grep -m1 ' stdout F net: ready$' "$log" 2>/dev/null | cut -d' ' -f1)
	[ -n "$ts" ] && ready=$(ms_since "$(date -d "$ts" +%s.%N)")
	echo "qemu=$qemu first=$first ready=$ready"
}
