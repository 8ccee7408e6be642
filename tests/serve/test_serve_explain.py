"""`kubectl explain` against serve prints what the REPL's explain prints, for every field
the REPL documents (the served OpenAPI v3 schemas are built from the same table)."""

from __future__ import annotations

import pytest
from serve_support import Served, make_cluster

from dstutor.kubectl.explain_docs import DOCS
from dstutor.kubectl.resources import RESOURCE_TYPES
from dstutor.serve import discovery
from dstutor.shell.session import Session

PLURAL = {rt.kind: rt.plural for rt in RESOURCE_TYPES}
FIELDS = [PLURAL[k.split(".")[0]] + ("." + k.split(".", 1)[1] if "." in k else "")
          for k in DOCS]


@pytest.fixture(scope="module")
def both(kubectl_binary: str):
    cluster = make_cluster()
    with Served(cluster, kubectl_binary) as served:
        yield Session(cluster), served


@pytest.mark.parametrize("field", [*FIELDS, "ds.spec.updateStrategy", "po.spec.tolerations",
                                   "no.spec.taints.effect", "deploy"])
def test_explain_matches_the_repl(both, field: str) -> None:
    session, served = both
    real = served.kubectl("explain", field)
    repl = session.handle_line("kubectl explain " + field)
    assert (real.stdout, real.stderr, real.returncode) == (
        repl.stdout, repl.stderr, repl.exit_code)


def test_openapi_documents_carry_schemas_but_no_request_bodies() -> None:
    """Schemas for explain; no requestBody on the operations, so apply keeps computing its
    strategic merge patches from kubectl's built-in types (see openapi.py)."""
    doc = discovery.openapi_group("apis/apps/v1")
    assert doc is not None
    schemas = doc["components"]["schemas"]
    assert schemas["io.k8s.api.apps.v1.DaemonSet"]["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "DaemonSet", "version": "v1"}]
    assert all("requestBody" not in op for path in doc["paths"].values()
               for op in path.values())
