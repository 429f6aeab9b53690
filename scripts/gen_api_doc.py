#!/usr/bin/env python3
"""Writes the method reference of docs/API.md from the method table.

The part of docs/API.md below the marker line is generated from a daemon's
list_methods (the same table that dispatches); the part above it is written
by hand. Usage:

  scripts/gen_api_doc.py build/daemon/goxel-daemon            # rewrite
  scripts/gen_api_doc.py build/daemon/goxel-daemon --check    # exit 1 if stale
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
import goxel_rpc  # noqa: E402

MARKER = ("<!-- Generated below from list_methods by scripts/gen_api_doc.py;"
          " do not edit by hand. -->")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOC = os.path.join(HERE, "..", "docs", "API.md")


def type_text(param):
    t = param.get("type") or "any"
    return {"position": "[x, y, z]", "vec3": "[x, y, z]",
            "color": "colour", "layer": "id or name",
            "region": "{min, max} or \"selection\"",
            "string|object": "string or object"}.get(t, t)


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def method_section(m):
    out = [f"### `{m['method']}`", "", m["description"], ""]
    out.append(f"Runs: {m['flags']}.")
    out.append("")
    rows = [p for p in m["params"] if "alias_of" not in p]
    if rows:
        out.append("| param | type | required | description |")
        out.append("|---|---|---|---|")
        for p in rows:
            req = "yes" if p["required"] else ""
            out.append(f"| `{p['name']}` | {cell(type_text(p))} | {req} | "
                       f"{cell(p['description'])} |")
        out.append("")
    else:
        out.append("No params.")
        out.append("")
    if m["aliases"]:
        parts = []
        for p in m["params"]:
            if "alias_of" not in p:
                continue
            if "component" in p:
                parts.append(f"`{p['name']}` → `{p['alias_of']}`"
                             f"[{p['component']}]")
            else:
                parts.append(f"`{p['name']}` → `{p['alias_of']}`")
        out.append("v14 names: " + ", ".join(parts) + ".")
        out.append("")
    names = [p["name"] for p in m["params"]]
    if names:
        out.append("Positional order: " + ", ".join(names) + ".")
        out.append("")
    if m.get("ignored_v14_params"):
        out.append("Accepted and ignored (sent by v14's clients): " +
                   ", ".join(f"`{k}`" for k in m["ignored_v14_params"]) + ".")
        out.append("")
    out.append(f"Result: `{m['result']}`")
    out.append("")
    for e in m.get("examples", []):
        req = {"jsonrpc": "2.0", "id": 1, "method": m["method"], "params": e}
        out.append("```json")
        out.append(json.dumps(req, separators=(",", ":")))
        out.append("```")
        out.append("")
    return out


def generate(methods):
    out = [MARKER, "", "## Methods", "",
           f"{len(methods)} methods; `list_methods` returns each with its "
           "`params_schema` and `result_schema` (JSON Schema 2020-12) and "
           "its `aliases`.", ""]
    for m in methods:
        out.append(f"- [`{m['method']}`](#{anchor(m['method'])})")
    out.append("")
    for m in methods:
        out.extend(method_section(m))
    return "\n".join(out).rstrip("\n") + "\n"


def anchor(name):
    return "".join(c for c in name.lower() if c.isalnum() or c in "-_ ")


def read_methods(binary):
    with goxel_rpc.Daemon(binary) as d:
        c = d.client()
        methods = c.ok("list_methods")["methods"]
        c.close()
    return methods


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("daemon", help="goxel-daemon binary")
    ap.add_argument("--doc", default=DEFAULT_DOC)
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when the doc differs from the table")
    args = ap.parse_args()
    with open(args.doc, encoding="utf-8") as f:
        text = f.read()
    if MARKER not in text:
        sys.exit(f"{args.doc}: the marker line is missing")
    head = text[:text.index(MARKER)]
    new = head + generate(read_methods(args.daemon))
    if args.check:
        if new != text:
            sys.exit(f"{args.doc} is stale: run scripts/gen_api_doc.py "
                     f"{args.daemon}")
        return
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
