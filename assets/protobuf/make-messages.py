#!/usr/bin/env python3
"""Writes messages.json.gz: for each Kubernetes protobuf message the
simulated API server reads, its fields (number, JSON name, label, type), as
the Kubernetes `generated.proto` files declare them. The sim turns protobuf
bodies into JSON with it (src/sim/kube/proto_json.rs).

Run with the two repositories' proto files under one folder:

    ROOT/api/core/v1/generated.proto ...            (github.com/kubernetes/api, tag v0.33.9)
    ROOT/apimachinery/pkg/apis/meta/v1/generated.proto ...  (github.com/kubernetes/apimachinery, v0.33.9)

    python3 assets/protobuf/make-messages.py ROOT
"""

import gzip
import json
import os
import re
import sys

# The kinds the sim reads from protobuf; everything they refer to comes along.
ROOTS = [
    "k8s.io.api.core.v1.Namespace",
    "k8s.io.api.core.v1.Pod",
    "k8s.io.api.core.v1.Service",
    "k8s.io.api.core.v1.ConfigMap",
    "k8s.io.api.core.v1.Secret",
    "k8s.io.api.core.v1.Node",
    "k8s.io.api.core.v1.Event",
    "k8s.io.api.core.v1.Endpoints",
    "k8s.io.api.core.v1.PersistentVolumeClaim",
    "k8s.io.api.core.v1.PersistentVolume",
    "k8s.io.api.storage.v1.StorageClass",
    "k8s.io.api.apps.v1.Deployment",
    "k8s.io.api.apps.v1.ReplicaSet",
    "k8s.io.api.batch.v1.Job",
    "k8s.io.api.batch.v1.CronJob",
    "k8s.io.api.networking.v1.Ingress",
    "k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler",
    "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler",
    "k8s.io.api.discovery.v1.EndpointSlice",
    "k8s.io.api.authorization.v1.SelfSubjectAccessReview",
    "k8s.io.api.authentication.v1.SelfSubjectReview",
    "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
]

SCALARS = {"string", "bytes", "bool", "int32", "int64", "double", "float", "uint32", "uint64"}
FIELD = re.compile(r"^\s*(optional|repeated)\s+(\S+)\s+(\w+)\s*=\s*(\d+)\s*;")
MAP = re.compile(r"^\s*map<\s*(\S+)\s*,\s*(\S+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")


def qualify(package, name):
    if name in SCALARS:
        return name
    if name.startswith("."):
        return name[1:]
    return f"{package}.{name}"


def read(path, messages):
    package, current = "", None
    with open(path) as f:
        for line in f:
            line = line.split("//")[0]
            if m := re.match(r"^\s*package\s+([\w.]+)\s*;", line):
                package = m.group(1)
            elif m := re.match(r"^\s*message\s+(\w+)\s*\{", line):
                current = f"{package}.{m.group(1)}"
                messages[current] = []
            elif line.strip() == "}":
                current = None
            elif current and (m := FIELD.match(line)):
                label, kind, name, number = m.groups()
                messages[current].append([int(number), name, label[0], qualify(package, kind)])
            elif current and (m := MAP.match(line)):
                key, value, name, number = m.groups()
                messages[current].append([int(number), name, "m", qualify(package, value)])


def main(root):
    messages = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name == "generated.proto":
                read(os.path.join(folder, name), messages)
    wanted, todo = set(), list(ROOTS)
    while todo:
        name = todo.pop()
        if name in wanted or name in SCALARS:
            continue
        if name not in messages:
            sys.exit(f"{name} is not in the proto files under {root}")
        wanted.add(name)
        todo.extend(field[3] for field in messages[name])
    table = {name: sorted(messages[name]) for name in sorted(wanted)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "messages.json.gz")
    data = json.dumps(table, separators=(",", ":"), sort_keys=True).encode()
    with gzip.GzipFile(out, "wb", mtime=0) as f:
        f.write(data)
    print(f"{len(table)} messages, {len(data)} bytes, {os.path.getsize(out)} compressed: {out}")


if __name__ == "__main__":
    main(sys.argv[1])
