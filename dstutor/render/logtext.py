"""Plausible container log lines for well-known images, stamped on the virtual clock.

A container's log is a pure function of its image, command, pod, node, uid and the
time window it ran in: the same seed gives the same lines. Each image has the start-up
lines its real program prints, then periodic lines; a crashing container ends with
the fatal line its program would print. Unknown images log their start only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dstutor.files import sha256_hex

MAX_LINES = 2000  # a container's log is cut to its newest lines, as the kubelet rotates


@dataclass(frozen=True)
class LogContext:
    image: str
    pod: str
    node: str
    container: str
    uid: str
    ip: str = "10.244.0.1"
    command: tuple[str, ...] = ()
    namespace: str = "default"


Fmt = Callable[[float, LogContext, int], str]


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _iso(t: float, digits: int = 3) -> str:
    d = _dt(t)
    frac = f"{d.microsecond:06d}"[:digits]
    return d.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if digits else "") + "Z"


def _klog(t: float, level: str = "I") -> str:
    d = _dt(t)
    return f"{level}{d.strftime('%m%d %H:%M:%S')}.{d.microsecond:06d}       1"


def _num(ctx: LogContext, i: int, lo: int, hi: int) -> int:
    digest = hashlib.sha256(f"{ctx.uid}/{ctx.container}/{i}".encode()).digest()
    return lo + int.from_bytes(digest[:4], "big") % (hi - lo + 1)


@dataclass(frozen=True)
class Profile:
    start: tuple[Fmt, ...]
    every: float = 0.0
    periodic: tuple[Fmt, ...] = ()
    fatal: Fmt | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _fluentd_ts(t: float) -> str:
    return _dt(t).strftime("%Y-%m-%d %H:%M:%S +0000")


def _fb_ts(t: float) -> str:
    return _dt(t).strftime("[%Y/%m/%d %H:%M:%S]")


def _calico_ts(t: float) -> str:
    d = _dt(t)
    return d.strftime("%Y-%m-%d %H:%M:%S") + f".{d.microsecond // 1000:03d}"


def _dd_ts(t: float) -> str:
    return _dt(t).strftime("%Y-%m-%d %H:%M:%S UTC")


def _nginx_ts(t: float) -> str:
    return _dt(t).strftime("%Y/%m/%d %H:%M:%S")


def _access_ts(t: float) -> str:
    return _dt(t).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _var_log(ctx: LogContext) -> str:
    return (f"/var/log/containers/{ctx.pod}_{ctx.namespace}_{ctx.container}-"
            f"{sha256_hex(ctx.uid)}.log")


PROFILES: dict[str, Profile] = {
    "filebeat": Profile(
        start=(lambda t, c, i: f'{{"log.level":"info","@timestamp":"{_iso(t)}","log.logger":'
               f'"beat","message":"Beat ID: {c.uid[:8]}","service.name":"filebeat"}}',
               lambda t, c, i: f'{{"log.level":"info","@timestamp":"{_iso(t)}","log.logger":'
               f'"input","message":"Configured paths: [/var/log/containers/*.log]",'
               f'"service.name":"filebeat"}}',
               lambda t, c, i: f'{{"log.level":"info","@timestamp":"{_iso(t)}","log.logger":'
               f'"publisher_pipeline_output","message":"Connection to backoff(elasticsearch('
               f'http://elasticsearch:9200)) established","service.name":"filebeat"}}'),
        every=30.0,
        periodic=(lambda t, c, i: f'{{"log.level":"info","@timestamp":"{_iso(t)}","log.logger'
                  f'":"monitoring","message":"Non-zero metrics in the last 30s","monitoring":'
                  f'{{"metrics":{{"filebeat":{{"events":{{"added":{_num(c, i, 20, 400)},'
                  f'"done":{_num(c, i, 20, 400)}}}}}}}}},"service.name":"filebeat"}}',),
        fatal=lambda t, c, i: f'{{"log.level":"error","@timestamp":"{_iso(t)}","log.origin":'
        f'{{"function":"main"}},"message":"Exiting: error loading config file: open '
        f'/etc/filebeat.yml: no such file or directory","service.name":"filebeat"}}'),
    "fluent-bit": Profile(
        start=(lambda t, c, i: "Fluent Bit v3.1.9",
               lambda t, c, i: f"{_fb_ts(t)} [ info] [fluent bit] version=3.1.9, commit=, pid=1",
               lambda t, c, i: f"{_fb_ts(t)} [ info] [input:tail:tail.0] initializing",
               lambda t, c, i: f"{_fb_ts(t)} [ info] [sp] stream processor started",
               lambda t, c, i: f"{_fb_ts(t)} [ info] [input:tail:tail.0] inotify_fs_add(): "
               f"inode={_num(c, i, 100000, 999999)} watch_fd=1 name={_var_log(c)}"),
        every=45.0,
        periodic=(lambda t, c, i: f"{_fb_ts(t)} [ info] [input:tail:tail.0] inotify_fs_add(): "
                  f"inode={_num(c, i, 100000, 999999)} watch_fd={i + 2} name=/var/log/"
                  f"containers/app-{_num(c, i, 1000, 9999)}_default_app.log",),
        fatal=lambda t, c, i: f"{_fb_ts(t)} [error] [config] section 'OUTPUT' is missing the "
        "'name' property"),
    "fluentd": Profile(
        start=(lambda t, c, i: f"{_fluentd_ts(t)} [info]: init supervisor logger path=nil "
               "rotate_age=nil rotate_size=nil",
               lambda t, c, i: f"{_fluentd_ts(t)} [info]: parsing config file is succeeded "
               "path=\"/fluentd/etc/fluent.conf\"",
               lambda t, c, i: f'{_fluentd_ts(t)} [info]: starting fluentd-1.17.1 pid=7 '
               'ruby="3.2.5"',
               lambda t, c, i: f"{_fluentd_ts(t)} [info]: #0 fluentd worker is now running "
               "worker=0"),
        every=60.0,
        periodic=(lambda t, c, i: f"{_fluentd_ts(t)} [info]: #0 following tail of "
                  f"/var/log/containers/app-{_num(c, i, 1000, 9999)}_default_app.log",),
        fatal=lambda t, c, i: f"{_fluentd_ts(t)} [error]: config error file=\"/fluentd/etc/"
        "fluent.conf\" error_class=Fluent::ConfigError error=\"Unknown output plugin "
        "'elasticsearch'\""),
    "node-exporter": Profile(
        start=(lambda t, c, i: f'ts={_iso(t)} caller=node_exporter.go:193 level=info msg="'
               'Starting node_exporter" version="(version=1.8.2, branch=HEAD)"',
               lambda t, c, i: f"ts={_iso(t)} caller=node_exporter.go:111 level=info "
               "msg=\"Enabled collectors\"",
               lambda t, c, i: f"ts={_iso(t)} caller=tls_config.go:313 level=info msg="
               "\"Listening on\" address=[::]:9100",
               lambda t, c, i: f"ts={_iso(t)} caller=tls_config.go:316 level=info msg="
               "\"TLS is disabled.\" http2=false address=[::]:9100"),
        fatal=lambda t, c, i: f"ts={_iso(t)} caller=node_exporter.go:236 level=error err="
        "\"listen tcp :9100: bind: address already in use\""),
    "kube-proxy": Profile(
        start=(lambda t, c, i: f'{_klog(t)} server_linux.go:66] "Using iptables proxy"',
               lambda t, c, i: f'{_klog(t)} server.go:677] "Successfully retrieved node IP(s)" '
               f'IPs=["{c.ip}"]',
               lambda t, c, i: f'{_klog(t)} server.go:240] "Kube-proxy configuration may be '
               'incomplete or incorrect" err="nodePortAddresses is unset"',
               lambda t, c, i: f'{_klog(t)} config.go:199] "Starting service config controller"',
               lambda t, c, i: f'{_klog(t)} shared_informer.go:320] "Caches are synced" '
               'controller="service config"'),
        fatal=lambda t, c, i: f'{_klog(t, "E")} run.go:72] "command failed" err="failed '
        'complete: open /var/lib/kube-proxy/config.conf: no such file or directory"'),
    "calico-node": Profile(
        start=(lambda t, c, i: f"{_calico_ts(t)} [INFO][1] startup/startup.go 431: Early log "
               f"level set to info",
               lambda t, c, i: f"{_calico_ts(t)} [INFO][1] startup/startup.go 607: Using node "
               f"name: {c.node}",
               lambda t, c, i: f"{_calico_ts(t)} [INFO][52] felix/daemon.go 398: Felix "
               "initialised"),
        every=90.0,
        periodic=(lambda t, c, i: f"{_calico_ts(t)} [INFO][52] felix/summary.go 100: "
                  f"Summarising {_num(c, i, 8, 20)} dataplane reconciliation loops over "
                  f"1m30s: avg={_num(c, i, 3, 30)}ms longest={_num(c, i, 30, 90)}ms ()",),
        fatal=lambda t, c, i: f"{_calico_ts(t)} [FATAL][1] startup/startup.go 165: Unable to "
        "determine the node's IP address"),
    "cilium": Profile(
        start=(lambda t, c, i: f'time="{_iso(t, 0)}" level=info msg="Cilium 1.16.3" '
               'subsys=daemon',
               lambda t, c, i: f'time="{_iso(t, 0)}" level=info msg="Initializing daemon" '
               'subsys=daemon',
               lambda t, c, i: f'time="{_iso(t, 0)}" level=info msg="Daemon initialization '
               'completed" bootstrapTime=4.2s subsys=daemon'),
        every=60.0,
        periodic=(lambda t, c, i: f'time="{_iso(t, 0)}" level=info msg="Endpoint '
                  f'regeneration" endpointID={_num(c, i, 100, 4000)} subsys=endpoint',),
        fatal=lambda t, c, i: f'time="{_iso(t, 0)}" level=fatal msg="Error while creating '
        'daemon" error="failed to detect devices" subsys=daemon'),
    "falco": Profile(
        start=(lambda t, c, i: f"{_dt(t).strftime('%a %b %e %H:%M:%S %Y')}: Falco version: "
               "0.39.1 (x86_64)",
               lambda t, c, i: f"{_dt(t).strftime('%a %b %e %H:%M:%S %Y')}: Loading rules "
               "from: /etc/falco/falco_rules.yaml",
               lambda t, c, i: f"{_dt(t).strftime('%a %b %e %H:%M:%S %Y')}: Starting health "
               "webserver with threadiness 2, listening on 0.0.0.0:8765"),
        every=120.0,
        periodic=(lambda t, c, i: f"{_dt(t).strftime('%H:%M:%S')}."
                  f"{_num(c, i, 100000000, 999999999)}: Notice A shell was spawned in a container with an attached "
                  f"terminal (evt_type=execve user=root process=sh container_id="
                  f"{c.uid[:12]})",),
        fatal=lambda t, c, i: f"{_dt(t).strftime('%a %b %e %H:%M:%S %Y')}: Runtime error: "
        "error opening device /host/dev/falco0. Exiting."),
    "datadog-agent": Profile(
        start=(lambda t, c, i: f"{_dd_ts(t)} | CORE | INFO | (pkg/util/log/log.go:590 in "
               "func1) | Starting Datadog Agent v7.58.0",
               lambda t, c, i: f"{_dd_ts(t)} | CORE | INFO | (comp/forwarder/defaultforwarder/"
               "default_forwarder.go:356 in start) | Forwarder started"),
        every=15.0,
        periodic=(lambda t, c, i: f"{_dd_ts(t)} | CORE | INFO | (pkg/collector/worker/"
                  f"check_logger.go:{_num(c, i, 40, 71)} in CheckFinished) | check:cpu | Done "
                  "running check",),
        fatal=lambda t, c, i: f"{_dd_ts(t)} | CORE | ERROR | (cmd/agent/subcommands/run/"
        "command.go:291 in run) | API key is missing"),
    "ceph-osd": Profile(
        start=(lambda t, c, i: f"debug {_iso(t)[:-1]}+0000 7f3a2c 0 ceph version 19.2.0 "
               "squid (stable), process ceph-osd, pid 1",
               lambda t, c, i: f"debug {_iso(t)[:-1]}+0000 7f3a2c 0 osd.{_num(c, 0, 0, 9)} "
               "boot"),
        every=30.0,
        periodic=(lambda t, c, i: f"debug {_iso(t)[:-1]}+0000 7f3a1b 0 osd.{_num(c, 0, 0, 9)} "
                  f"{_num(c, i, 100, 900)} heartbeat osd_stat(store_statfs(...), peers "
                  "[0,1,2] op hist [])",),
        fatal=lambda t, c, i: f"debug {_iso(t)[:-1]}+0000 7f3a2c -1 ** ERROR: unable to open "
        "OSD superblock on /var/lib/ceph/osd/ceph-0: (2) No such file or directory"),
    "nginx": Profile(
        start=(lambda t, c, i: "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will "
               "attempt to perform configuration",
               lambda t, c, i: "/docker-entrypoint.sh: Configuration complete; ready for start "
               "up",
               lambda t, c, i: f"{_nginx_ts(t)} [notice] 1#1: nginx/1.27.2",
               lambda t, c, i: f"{_nginx_ts(t)} [notice] 1#1: start worker processes"),
        every=10.0,
        periodic=(lambda t, c, i: f'{c.ip.rsplit(".", 1)[0]}.1 - - [{_access_ts(t)}] "GET / '
                  'HTTP/1.1" 200 615 "-" "kube-probe/1.37" "-"',),
        fatal=lambda t, c, i: f"{_nginx_ts(t)} [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: "
        "Address in use)"),
}
_ALIASES = (("filebeat", "filebeat"), ("fluent-bit", "fluent-bit"), ("fluentbit", "fluent-bit"),
            ("fluentd", "fluentd"), ("node-exporter", "node-exporter"),
            ("kube-proxy", "kube-proxy"), ("calico/node", "calico-node"),
            ("calico-node", "calico-node"), ("cilium", "cilium"), ("falco", "falco"),
            ("datadog", "datadog-agent"), ("ceph", "ceph-osd"), ("nginx", "nginx"))


def profile_for(image: str) -> str | None:
    name = image.rsplit("@", 1)[0].rsplit(":", 1)[0] if "/" in image or ":" in image else image
    for needle, key in _ALIASES:
        if needle in name:
            return key
    return None


_ECHO = re.compile(r"echo\s+(?:\"([^\"]*)\"|'([^']*)'|([^\s;&|]+(?:[ \t]+[^\s;&|]+)*))")
_SLEEP = re.compile(r"sleep\s+(\d+(?:\.\d+)?)")


def _shell_loop(ctx: LogContext) -> Profile | None:
    """busybox and friends: a `while true; do echo X; sleep N; done` command prints X every N s."""
    script = " ".join(ctx.command)
    echo = _ECHO.search(script)
    if echo is None:
        return None
    text = next(g for g in echo.groups() if g is not None)
    text = text.replace("$(hostname)", ctx.pod).replace("$HOSTNAME", ctx.pod)
    text = re.sub(r"\$\(date[^)]*\)", "{date}", text)
    sleep = _SLEEP.search(script)
    looping = "while" in script or "for " in script

    def line(t: float, c: LogContext, i: int) -> str:
        return text.replace("{date}", _dt(t).strftime("%a %b %e %H:%M:%S UTC %Y"))

    if not looping:
        return Profile(start=(line,))
    return Profile(start=(line,), every=float(sleep.group(1)) if sleep else 1.0,
                   periodic=(line,))


def container_log(ctx: LogContext, start: float, end: float, *, crashed: bool = False
                  ) -> list[tuple[float, str]]:
    """(time, line) for a container that ran from `start` to `end` (virtual seconds)."""
    key = profile_for(ctx.image)
    profile = _shell_loop(ctx) or (PROFILES[key] if key else None)
    if profile is None:
        return [] if not crashed else [(end, "Error: exit status 1")]
    lines: list[tuple[float, str]] = []
    for i, fmt in enumerate(profile.start):
        t = min(start + 0.05 * i + _num(ctx, i, 0, 40) / 1000.0, end)
        lines.append((t, fmt(t, ctx, i)))
    if crashed:
        if profile.fatal is not None:
            lines.append((end, profile.fatal(end, ctx, 99)))
        return lines
    if profile.every > 0 and profile.periodic:
        count = int((end - start) // profile.every)
        first = max(1, count - MAX_LINES + 1)
        for n in range(first, count + 1):
            t = start + n * profile.every + _num(ctx, n, 0, 900) / 1000.0
            if t > end:
                break
            fmt = profile.periodic[n % len(profile.periodic)]
            lines.append((t, fmt(t, ctx, n)))
    return lines[-MAX_LINES:]
