"""dstutor lint: findings with rule, severity, path and line on the example and bad manifests."""

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dstutor.classroom.lint import Finding, cluster_nodes, lint_files, lint_text, split_documents
from dstutor.classroom.lint_rules import RULES, image_tag
from dstutor.cli.classroom import register

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures"
LINT = FIX / "lint"


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def _triples(findings: list[Finding]) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.severity, f.line) for f in findings}


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_lint_node_logger_example() -> None:
    findings = lint_files([_rel(FIX / "node-logger.yaml")])
    assert _triples(findings) == {
        ("update-strategy-implicit", "info", 6),
        ("tolerations-missing", "warning", 14),
        ("resources-missing", "warning", 16),
        ("hostpath-writable", "warning", 19),
    }
    writable = next(f for f in findings if f.rule == "hostpath-writable")
    assert writable.path == "spec.template.spec.containers[0].volumeMounts[0]"
    assert writable.file == "fixtures/node-logger.yaml"
    assert writable.object == "kube-system/node-logger"
    assert "'/var/log'" in writable.message
    tol = next(f for f in findings if f.rule == "tolerations-missing")
    assert "control-plane" in tol.message


def test_lint_node_exporter_example() -> None:
    findings = lint_files([_rel(FIX / "node-exporter.yaml")])
    # hostNetwork with port 9100 and a read-only /sys are the legitimate uses: no finding.
    assert _triples(findings) == {
        ("update-strategy-implicit", "info", 6),
        ("tolerations-missing", "warning", 14),
        ("resources-missing", "warning", 17),
    }


def test_lint_good_manifest_is_clean() -> None:
    assert lint_files([_rel(LINT / "good.yaml")]) == []


def test_lint_host_access() -> None:
    findings = lint_files([_rel(LINT / "host-access.yaml")])
    assert _triples(findings) == {
        ("host-network-unneeded", "warning", 21),
        ("image-latest", "warning", 26),
        ("image-latest", "warning", 37),
        ("hostpath-sensitive", "error", 48),
        ("hostpath-sensitive", "error", 51),
        ("hostpath-sensitive", "error", 55),
    }
    by_line = {f.line: f for f in findings}
    assert by_line[48].path == "spec.template.spec.volumes[0].hostPath.path"
    assert "(writable)" in by_line[48].message
    assert "socket" in by_line[51].message and "(read-only)" in by_line[51].message
    assert "no tag" in by_line[26].message


def test_lint_rollout_too_fast_multi_document() -> None:
    findings = lint_files([_rel(LINT / "rollout-too-fast.yaml")])
    assert _triples(findings) == {
        ("max-unavailable-too-high", "error", 14),
        ("max-unavailable-too-high", "warning", 42),  # second document: lines keep counting
    }
    assert "3 of 4" in findings[0].message
    assert findings[1].object == "monitoring/metrics-agent"


def test_lint_surge_with_host_port() -> None:
    findings = lint_files([_rel(LINT / "surge-host-port.yaml")])
    assert _triples(findings) == {("surge-with-host-port", "error", 14)}
    assert findings[0].path == "spec.updateStrategy.rollingUpdate.maxSurge"


def test_lint_selectors() -> None:
    findings = lint_files([_rel(LINT / "selectors.yaml")])
    assert _triples(findings) == {
        ("namespace-default", "info", 4),
        ("selector-generic", "warning", 8),
        ("selector-mismatch", "error", 34),
    }


def test_lint_tolerations_against_cluster_file() -> None:
    path = _rel(LINT / "gpu-tolerations.yaml")
    assert lint_files([path]) == []  # the default cluster has no GPU nodes
    findings = lint_files([path], cluster_file=_rel(LINT / "clusters" / "gpu.yaml"))
    assert _triples(findings) == {("tolerations-missing", "warning", 20)}
    assert "gpu-1 (dedicated=gpu:NoExecute)" in findings[0].message
    assert "control-plane" not in findings[0].message


def test_lint_node_selector_limits_toleration_check() -> None:
    nodes, name = cluster_nodes(_rel(LINT / "clusters" / "gpu.yaml"))
    text = (LINT / "gpu-tolerations.yaml").read_text()
    text = text.replace("    spec:\n      tolerations:",
                        "    spec:\n      nodeSelector: {gpu: 'false'}\n      tolerations:")
    assert lint_text(text, "x.yaml", nodes=nodes, cluster_name=name) == []


def test_lint_broken_yaml_reports_line() -> None:
    findings = lint_files([_rel(LINT / "broken.yaml")])
    assert _triples(findings) == {("yaml-invalid", "error", 8)}


def test_lint_yaml_error_line_in_second_document() -> None:
    text = "kind: ConfigMap\n---\na: [1,\n"
    findings = lint_text(text, "x.yaml")
    assert findings[0].rule == "yaml-invalid"
    assert findings[0].line is not None and findings[0].line >= 3
    assert f"line {findings[0].line}" in findings[0].message


def test_lint_missing_file_and_no_daemonset() -> None:
    findings = lint_files(["nope.yaml"])
    assert [(f.rule, f.severity) for f in findings] == [("file-unreadable", "error")]
    assert lint_text("kind: ConfigMap\n", "cm.yaml")[0].rule == "no-daemonset"


def test_lint_every_rule_has_why_and_fix() -> None:
    for rule in RULES.values():
        assert rule.why and rule.fix and rule.severity in ("error", "warning", "info")


@pytest.mark.parametrize(("image", "tag"), [
    ("busybox", None), ("busybox:latest", "latest"), ("registry:5000/busybox", None),
    ("registry:5000/busybox:1.36", "1.36"), ("prom/node-exporter@sha256:abc", "sha256:abc"),
])
def test_lint_image_tag(image: str, tag: str | None) -> None:
    assert image_tag(image) == tag


def test_lint_split_documents_offsets() -> None:
    text = "a: 1\n---\nb: 2\n--- {c: 3}\n"
    assert [(c.strip(), o) for c, o in split_documents(text)] == [
        ("a: 1", 0), ("b: 2", 1), ("{c: 3}", 3)]


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        pass

    return app


def test_lint_cli_exit_codes_and_json() -> None:
    runner = CliRunner()
    ok = runner.invoke(_app(), ["lint", "fixtures/node-logger.yaml",
                                "fixtures/node-exporter.yaml"])
    assert ok.exit_code == 0, ok.output
    assert "fixtures/node-logger.yaml:19: warning [hostpath-writable]" in ok.output
    assert "2 files: 0 errors, 5 warnings, 2 info" in ok.output
    bad = runner.invoke(_app(), ["lint", "-o", "json", "fixtures/lint/host-access.yaml"])
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert {d["rule"] for d in data} >= {"hostpath-sensitive", "image-latest"}
    assert all({"rule", "severity", "file", "line", "path", "why", "fix"} <= set(d)
               for d in data)


BASE = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent-x, namespace: kube-system}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: agent-x}}
  updateStrategy: {rollingUpdate: {STRATEGY}}
  template:
    metadata: {labels: {app.kubernetes.io/name: agent-x}}
    spec:
      tolerations: [{operator: Exists}]
      containers:
        - name: c
          image: example/agent:1.0
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
          PORTS
"""


def _lint(strategy: str, ports: str = "") -> set[tuple[str, str]]:
    text = BASE.replace("STRATEGY", strategy).replace("PORTS", ports)
    return {(f.rule, f.severity) for f in lint_text(text, "x.yaml")}


@pytest.mark.parametrize(("strategy", "ports", "expected"), [
    ("maxUnavailable: 1", "", set()),
    ("maxUnavailable: 25%", "", set()),  # 25% of 4 nodes rounds up to 1
    ("maxUnavailable: 40%", "", {("max-unavailable-too-high", "warning")}),
    ("maxUnavailable: 100%", "", {("max-unavailable-too-high", "error")}),
    ("maxUnavailable: 4", "", {("max-unavailable-too-high", "error")}),
    ("maxUnavailable: 0", "", {("max-unavailable-too-high", "error")}),
    ("maxUnavailable: 0, maxSurge: 1", "", set()),
    ("maxUnavailable: 0, maxSurge: 1", "ports: [{containerPort: 80, hostPort: 8080}]",
     {("surge-with-host-port", "error")}),
    ("maxUnavailable: 1, maxSurge: 0", "ports: [{containerPort: 80, hostPort: 8080}]", set()),
    ("maxSurge: 1", "", {("update-strategy-implicit", "info")}),
])
def test_lint_update_strategy_table(strategy: str, ports: str,
                                    expected: set[tuple[str, str]]) -> None:
    assert _lint(strategy, ports) == expected


def test_lint_on_delete_and_sockets() -> None:
    text = BASE.replace("{rollingUpdate: {STRATEGY}}", "{type: OnDelete}").replace(
        "          PORTS\n", "          volumeMounts: [{name: s, mountPath: /s, readOnly: true}]\n"
        "      volumes: [{name: s, hostPath: {path: /run/containerd/containerd.sock}}]\n")
    rules = {(f.rule, f.severity, f.line) for f in lint_text(text, "x.yaml")}
    assert rules == {("update-on-delete", "info", 6), ("hostpath-sensitive", "error", 16)}


def test_lint_cli_bad_cluster_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(_app(), ["lint", "--cluster", "nope.yaml",
                                         "fixtures/node-logger.yaml"])
    assert result.exit_code == 2
    assert 'the path "nope.yaml" does not exist' in result.output
