#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cri.py - a small CRI client (runtime.v1 RuntimeService over gRPC), the
calls kubelet makes, for the CRI system test and the pod bench.

Usage: cri.py [--sock PATH] COMMAND ARG...

  version                      runtime name, version, CRI API version
  runp POD.json [HANDLER]      RunPodSandbox; prints the pod id
  create POD CTR.json POD.json CreateContainer in pod POD; prints the id
  start ID | stop ID [SECONDS] | rm ID          StartContainer ...
  stopp POD | rmp POD          StopPodSandbox, RemovePodSandbox
  inspect ID | inspectp POD    ContainerStatus / PodSandboxStatus (verbose), JSON
  ps | pods                    ListContainers / ListPodSandbox, JSON
  wait ID STATE SECONDS        poll ContainerStatus until STATE
                               (CONTAINER_RUNNING, CONTAINER_EXITED, ...)
  podup POD.json CTR.json HANDLER [SECONDS]
                               kubelet's start of a one-container pod:
                               RunPodSandbox, CreateContainer, StartContainer,
                               then GET / on the pod IP port 80 until a 200
                               (each try bounded to 200 ms, for SECONDS,
                               default 60); prints
                               "pod=ID ctr=ID ip=IP run=MS create=MS start=MS http=MS wall0=S"
                               (milliseconds since just before RunPodSandbox;
                               wall0: that moment in CLOCK_REALTIME seconds,
                               the clock of urunc's timestamps and of the
                               pod log)
  down POD [SECONDS]           kubelet's end of a pod: StopContainer (timeout
                               SECONDS, default 10) and RemoveContainer of each
                               of its containers, StopPodSandbox,
                               RemovePodSandbox

POD.json and CTR.json are PodSandboxConfig and ContainerConfig in the
protobuf JSON mapping (crictl's pod-config.json / container-config.json).

The messages come from cri.proto (next to this file), compiled with protoc
into $CRI_GEN (default /tmp/cri-gen) on first use.  Errors: "cri: METHOD:
CODE: DETAILS" on stderr, exit status 1.
"""
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.environ.get("CRI_GEN", "/tmp/cri-gen")


def load_pb():
    proto = os.path.join(HERE, "cri.proto")
    out = os.path.join(GEN, "cri_pb2.py")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(proto):
        os.makedirs(GEN, exist_ok=True)
        subprocess.run(["protoc", "-I", HERE, "--python_out=" + GEN, proto], check=True)
    sys.path.insert(0, GEN)
    import cri_pb2  # noqa: E402
    return cri_pb2


pb = load_pb()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402


class Runtime:
    SERVICE = "/runtime.v1.RuntimeService/"

    def __init__(self, sock):
        self.channel = grpc.insecure_channel("unix://" + sock)

    def call(self, method, req, timeout=120):
        resp_type = getattr(pb, method + "Response")
        fn = self.channel.unary_unary(self.SERVICE + method,
                                      request_serializer=type(req).SerializeToString,
                                      response_deserializer=resp_type.FromString)
        try:
            return fn(req, timeout=timeout)
        except grpc.RpcError as e:
            raise SystemExit("cri: %s: %s: %s" % (method, e.code().name, e.details()))


def now_ms():
    return time.monotonic() * 1000.0


def read_json(path, msg):
    with open(path) as f:
        return json_format.ParseDict(json.load(f), msg)


def dump(msg):
    print(json.dumps(json_format.MessageToDict(msg, preserving_proto_field_name=True), indent=1, sort_keys=True))


def http_ok(ip, port=80, timeout=0.2):
    try:
        with socket.create_connection((ip, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET / HTTP/1.0\r\nHost: " + ip.encode() + b"\r\n\r\n")
            head = s.recv(64)
            return head.startswith(b"HTTP/1.") and head[9:12] == b"200"
    except OSError:
        return False


def pod_ip(rt, pod):
    st = rt.call("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=pod))
    return st.status.network.ip


def cmd_podup(rt, args):
    podcfg = read_json(args[0], pb.PodSandboxConfig())
    ctrcfg = read_json(args[1], pb.ContainerConfig())
    handler = args[2]
    limit = float(args[3]) if len(args) > 3 else 60.0
    wall0 = time.time()
    t0 = now_ms()
    pod = rt.call("RunPodSandbox", pb.RunPodSandboxRequest(config=podcfg, runtime_handler=handler)).pod_sandbox_id
    t_run = now_ms()
    ip = pod_ip(rt, pod)
    cid = rt.call("CreateContainer", pb.CreateContainerRequest(pod_sandbox_id=pod, config=ctrcfg,
                                                               sandbox_config=podcfg)).container_id
    t_create = now_ms()
    rt.call("StartContainer", pb.StartContainerRequest(container_id=cid))
    t_start = now_ms()
    deadline = time.monotonic() + limit
    while not http_ok(ip):
        if time.monotonic() > deadline:
            print("pod=%s ctr=%s ip=%s" % (pod, cid, ip))
            raise SystemExit("cri: podup: no HTTP 200 from %s:80 within %g s" % (ip, limit))
        time.sleep(0.005)
    t_http = now_ms()
    print("pod=%s ctr=%s ip=%s run=%.1f create=%.1f start=%.1f http=%.1f wall0=%.6f" %
          (pod, cid, ip, t_run - t0, t_create - t0, t_start - t0, t_http - t0, wall0))


def cmd_down(rt, args):
    pod = args[0]
    timeout = int(args[1]) if len(args) > 1 else 10
    for c in rt.call("ListContainers", pb.ListContainersRequest()).containers:
        if c.pod_sandbox_id != pod:
            continue
        rt.call("StopContainer", pb.StopContainerRequest(container_id=c.id, timeout=timeout), timeout=timeout + 60)
        rt.call("RemoveContainer", pb.RemoveContainerRequest(container_id=c.id))
    rt.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod))
    rt.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def main(argv):
    sock = "/run/containerd/containerd.sock"
    if len(argv) >= 2 and argv[0] == "--sock":
        sock, argv = argv[1], argv[2:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    rt = Runtime(sock)
    cmd, args = argv[0], argv[1:]
    if cmd == "version":
        v = rt.call("Version", pb.VersionRequest(version="v1"))
        print(v.runtime_name, v.runtime_version, v.runtime_api_version)
    elif cmd == "runp":
        cfg = read_json(args[0], pb.PodSandboxConfig())
        handler = args[1] if len(args) > 1 else ""
        print(rt.call("RunPodSandbox", pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler)).pod_sandbox_id)
    elif cmd == "create":
        req = pb.CreateContainerRequest(pod_sandbox_id=args[0], config=read_json(args[1], pb.ContainerConfig()),
                                        sandbox_config=read_json(args[2], pb.PodSandboxConfig()))
        print(rt.call("CreateContainer", req).container_id)
    elif cmd == "start":
        rt.call("StartContainer", pb.StartContainerRequest(container_id=args[0]))
    elif cmd == "stop":
        t = int(args[1]) if len(args) > 1 else 10
        rt.call("StopContainer", pb.StopContainerRequest(container_id=args[0], timeout=t), timeout=t + 60)
    elif cmd == "rm":
        rt.call("RemoveContainer", pb.RemoveContainerRequest(container_id=args[0]))
    elif cmd == "stopp":
        rt.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=args[0]))
    elif cmd == "rmp":
        rt.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=args[0]))
    elif cmd == "inspect":
        dump(rt.call("ContainerStatus", pb.ContainerStatusRequest(container_id=args[0], verbose=True)))
    elif cmd == "inspectp":
        dump(rt.call("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=args[0], verbose=True)))
    elif cmd == "ps":
        dump(rt.call("ListContainers", pb.ListContainersRequest()))
    elif cmd == "pods":
        dump(rt.call("ListPodSandbox", pb.ListPodSandboxRequest()))
    elif cmd == "wait":
        want = pb.ContainerState.Value(args[1])
        deadline = time.monotonic() + float(args[2])
        while True:
            st = rt.call("ContainerStatus", pb.ContainerStatusRequest(container_id=args[0])).status
            if st.state == want:
                break
            if time.monotonic() > deadline:
                raise SystemExit("cri: wait: container %s is %s after %s s, not %s" %
                                 (args[0], pb.ContainerState.Name(st.state), args[2], args[1]))
            time.sleep(0.05)
    elif cmd == "podup":
        cmd_podup(rt, args)
    elif cmd == "down":
        cmd_down(rt, args)
    else:
        print("cri: unknown command '%s'" % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
