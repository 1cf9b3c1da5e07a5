#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks an image store (runtime/image/store.h) for orphans and holes:
every image record's manifest, config, layer blobs and unpacked layers
exist; every layer and blob is used by an image; names point at images;
ROOT/tmp is empty. Prints one line per problem; exit 1 if any.
Usage: store-check.py ROOT"""
import json, os, sys

root = sys.argv[1]
problems = []
blobs_dir = os.path.join(root, "blobs", "sha256")
layers_dir = os.path.join(root, "layers")


def blob(hexd, what):
    try:
        with open(os.path.join(blobs_dir, hexd)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        problems.append("%s: blob %s: %s" % (what, hexd, e))
        return None


def hex_of(digest):
    return digest.split(":", 1)[1] if digest and digest.startswith("sha256:") else None


used_blobs, used_layers, ids = set(), set(), set()
for iid in sorted(os.listdir(os.path.join(root, "images"))):
    ids.add(iid)
    try:
        with open(os.path.join(root, "images", iid, "image.json")) as f:
            rec = json.load(f)
    except (OSError, ValueError) as e:
        problems.append("image %s: record: %s" % (iid, e))
        continue
    m_hex, c_hex = hex_of(rec.get("manifest")), hex_of(rec.get("config"))
    used_blobs.update(h for h in (m_hex, c_hex) if h)
    manifest = blob(m_hex, "image %s manifest" % iid)
    config = blob(c_hex, "image %s config" % iid)
    for layer in (manifest or {}).get("layers", []):
        h = hex_of(layer.get("digest"))
        used_blobs.add(h)
        if not os.path.exists(os.path.join(blobs_dir, h)):
            problems.append("image %s: layer blob %s missing" % (iid, h))
    for d in (config or {}).get("rootfs", {}).get("diff_ids", []):
        h = hex_of(d)
        used_layers.add(h)
        for part in ("diff", "layer.json"):
            if not os.path.exists(os.path.join(layers_dir, h, part)):
                problems.append("image %s: layer %s: no %s" % (iid, h, part))

for h in sorted(set(os.listdir(layers_dir)) - used_layers):
    problems.append("orphan layer %s" % h)
for h in sorted(set(os.listdir(blobs_dir)) - used_blobs):
    problems.append("orphan blob %s" % h)
for t in sorted(os.listdir(os.path.join(root, "tmp"))):
    problems.append("left in tmp: %s" % t)
try:
    with open(os.path.join(root, "names.json")) as f:
        names = json.load(f).get("names", {})
except FileNotFoundError:
    names = {}
except ValueError as e:
    problems.append("names.json: %s" % e)
    names = {}
for name, iid in sorted(names.items()):
    if iid not in ids:
        problems.append("name %s: image %s missing" % (name, iid))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
