"""Offline schema check of ferry's Kubernetes manifests.

Validates every document of the given YAML files against the Kubernetes API
models shipped in the `kubernetes` Python client (its OpenAPI types): unknown
fields, wrong types and missing required fields are errors. Then ferry's own
rules: every container requests CPU and memory, the scheduler has its
liveness probe on / and readiness probe on /health (KIP-1017), and workers
have liveness on /health and readiness on /ready.

Usage: python check_k8s.py FILE.yaml...   (exit 1 on any error)
"""
import re
import sys

import yaml
from kubernetes import client

KINDS = {
    ("apps/v1", "Deployment"): "V1Deployment",
    ("v1", "Service"): "V1Service",
    ("v1", "ConfigMap"): "V1ConfigMap",
}
SCALARS = {"str": str, "bytes": str, "int": int, "bool": bool, "float": (int, float)}


def check_type(value, typ, path, errs):
    """Check value against an openapi_types type string (str, List[X], Dict[str, X], V1Foo...)."""
    if value is None or typ == "object":
        return
    m = re.fullmatch(r"[Ll]ist\[(.+)\]", typ)
    if m:
        if not isinstance(value, list):
            errs.append(f"{path}: want a list of {m.group(1)}")
            return
        for i, v in enumerate(value):
            check_type(v, m.group(1), f"{path}[{i}]", errs)
        return
    m = re.fullmatch(r"(?:dict\(str, (.+)\)|Dict\[str, (.+)\])", typ)
    if m:
        elem = m.group(1) or m.group(2)
        if not isinstance(value, dict):
            errs.append(f"{path}: want a map of {elem}")
            return
        for k, v in value.items():
            check_type(v, elem, f"{path}.{k}", errs)
        return
    if typ in SCALARS:
        if not isinstance(value, SCALARS[typ]) or (typ != "bool" and isinstance(value, bool)):
            errs.append(f"{path}: want {typ}, got {type(value).__name__} {value!r}")
        return
    if typ == "datetime":
        return
    check_model(value, typ, path, errs)


def check_model(data, klass, path, errs):
    """Check an object against model klass: known fields, their types, required ones."""
    cls = getattr(client, klass)
    if not isinstance(data, dict):
        errs.append(f"{path}: want an object ({klass})")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json:
            errs.append(f"{path}.{key}: unknown field of {klass}")
            continue
        check_type(value, cls.openapi_types[by_json[key]], f"{path}.{key}", errs)


def check_required(doc, klass, path, errs):
    """Build the model: its constructors reject missing required fields."""
    try:
        client.ApiClient()._ApiClient__deserialize(doc, klass)
    except (ValueError, TypeError) as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and "errors.pydantic" not in ln]
        errs.append(f"{path}: required field missing or invalid: {' / '.join(lines[:3])}")


def ferry_rules(doc, path, errs):
    if doc.get("kind") != "Deployment":
        return
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    for c in pod.get("containers", []):
        req = (c.get("resources") or {}).get("requests") or {}
        if "cpu" not in req or "memory" not in req:
            errs.append(f"{path}: container {c.get('name')} must request cpu and memory")
        if "scheduler" in (c.get("args") or []):
            live = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
            ready = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
            if live != "/" or ready != "/health":
                errs.append(f"{path}: scheduler probes: liveness {live!r} (want '/'), readiness {ready!r} (want '/health')")
        if "worker" in (c.get("args") or []):
            live = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
            ready = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
            if live != "/health" or ready != "/ready":
                errs.append(f"{path}: worker probes: liveness {live!r} (want '/health'), readiness {ready!r} (want '/ready')")


def main(files):
    errs, n = [], 0
    for f in files:
        with open(f) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
        for i, doc in enumerate(docs):
            path = f"{f}#{i}"
            klass = KINDS.get((doc.get("apiVersion"), doc.get("kind")))
            if klass is None:
                errs.append(f"{path}: unsupported apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')}")
                continue
            check_model(doc, klass, path, errs)
            check_required(doc, klass, path, errs)
            ferry_rules(doc, path, errs)
            n += 1
    for e in errs:
        print(e, file=sys.stderr)
    print(f"kubernetes manifests: {n} documents checked against kubernetes {client.__version__} models, {len(errs)} errors")
    return 1 if errs or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
