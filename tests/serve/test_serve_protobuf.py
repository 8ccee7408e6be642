"""The protobuf bodies of kubectl's typed creates, as kubectl 1.37.1 sent them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.serve.protobuf import KINDS, ProtobufError, decode

# `kubectl create deployment web --image=nginx:1 --replicas=2 --port=80`, captured.
DEPLOYMENT = bytes.fromhex(
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412ba010a1f0a0377656212001a0022002a"
    "003200380042005a0a0a0361707012037765621288010802120c0a0a0a0361707012037765621a6e0a1c0a00"
    "12001a0022002a003200380042005a0a0a036170701203776562124e12300a056e67696e7812076e67696e78"
    "3a312a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a005200"
    "5800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200")
# `kubectl create namespace x`.
NAMESPACE = bytes.fromhex("6b3873000a0f0a02763112094e616d657370616365121" +
                          "90a110a0178120" + "01a0022002a0032003800420012001a020a001a002200")


def test_protobuf_deployment_reads_as_kubectl_meant_it() -> None:
    assert decode(DEPLOYMENT) == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                     "containers": [{"name": "nginx", "image": "nginx:1",
                                     "ports": [{"containerPort": 80}]}]}}}}


def test_protobuf_namespace() -> None:
    assert decode(NAMESPACE) == {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "x"}}


@pytest.mark.parametrize("body", [b"", b"k8s", b"xyz\x00\x0a", DEPLOYMENT[:40],
                                  DEPLOYMENT[:-3] + b"\xff\xff\xff",
                                  b"k8s\x00\x0a\x0d\x0a\x02v1\x12\x07Secret\x12\x00",
                                  # a string field sent as a varint (no huge allocation)
                                  b"k8s\x00\x08\xff\xff\xff\xff\xff\xff\xff\x7f"])
def test_protobuf_refusals(body: bytes) -> None:
    with pytest.raises(ProtobufError):
        decode(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_protobuf_any_bytes_decode_or_refuse(tail: bytes) -> None:
    try:
        obj = decode(b"k8s\x00" + tail)
    except ProtobufError:
        return  # refused in one line: what the server turns into a 415
    assert obj["kind"] in KINDS and isinstance(obj.get("metadata", {}), dict)
