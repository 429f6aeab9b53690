#!/usr/bin/env python3
"""API tests: schemas, docs examples, strict params, aliases, v14 forms,
docs freshness, paths. Usage: api_test.py DAEMON CLIENT [unittest args]."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import goxel_rpc  # noqa: E402
import gen_api_doc  # noqa: E402

try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is missing: apt-get install -y "
             "python3-jsonschema (scripts/lib/common.sh GOXEL_TEST_PACKAGES)")

DAEMON = CLIENT = None
Validator = jsonschema.Draft202012Validator


def canonical_params(method, params):
    """Named canonical params for `params` (positional or with v14 names),
    as dispatch reads them: positional by the table's order, v14 component
    names assembled into their canonical arrays."""
    rows = method["params"]
    if isinstance(params, list):
        params = {rows[i]["name"]: v for i, v in enumerate(params)
                  if v is not None}
    out, parts = {}, {}
    by_name = {r["name"]: r for r in rows}
    for k, v in params.items():
        row = by_name.get(k)
        if row is None or "alias_of" not in row:
            out[k] = v
        elif "component" in row:
            parts.setdefault(row["alias_of"], {})[row["component"]] = v
        else:
            out[row["alias_of"]] = v
    for name, comps in parts.items():
        out[name] = [comps[i] for i in sorted(comps)]
    return out


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = goxel_rpc.Daemon(DAEMON)
        cls.c = cls.daemon.client()
        cls.methods = {m["method"]: m for m in
                       cls.c.ok("list_methods")["methods"]}

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        cls.daemon.stop()

    def fixture(self):
        """A fresh active project: voxels in [0,3]^3, layer "roof" (2),
        a selection, and house.gox in the data directory."""
        c = self.c
        c.ok("goxel.create_project", {"name": "fixture"})
        c.ok("goxel.fill_region", {"min": [0, 0, 0], "max": [3, 3, 3],
                                   "color": "#ff0000"})
        c.ok("goxel.create_layer", {"name": "roof"})
        c.ok("goxel.add_voxel", {"position": [0, 0, 5], "color": [1, 2, 3],
                                 "layer": "roof"})
        c.ok("goxel.set_active_layer", {"layer": 1})
        c.ok("goxel.select_region", {"min": [0, 0, 0], "max": [1, 1, 1]})
        c.ok("goxel.save_project", {"path": "house.gox"})
        # A later load_project of house.gox must read the file, not return
        # this project: it is closed (saved, so nothing is lost).
        c.ok("goxel.close_project", {})
        c.ok("goxel.create_project", {"name": "fixture"})
        c.ok("goxel.fill_region", {"min": [0, 0, 0], "max": [3, 3, 3],
                                   "color": "#ff0000"})
        c.ok("goxel.create_layer", {"name": "roof"})
        c.ok("goxel.set_active_layer", {"layer": 1})
        c.ok("goxel.select_region", {"min": [0, 0, 0], "max": [1, 1, 1]})

    def test_schemas(self):
        self.assertGreater(len(self.methods), 40)
        for name, m in self.methods.items():
            with self.subTest(method=name):
                Validator.check_schema(m["params_schema"])
                Validator.check_schema(m["result_schema"])
                ps = m["params_schema"]
                self.assertEqual(ps["type"], "object")
                self.assertIn("properties", ps)
                self.assertIn("required", ps)
                # echo returns any params; set_config takes config keys.
                if name not in ("echo", "goxel.set_config"):
                    self.assertIs(ps["additionalProperties"], False)
                for req in ps["required"]:
                    self.assertIn(req, ps["properties"])
                for prop, s in ps["properties"].items():
                    self.assertTrue(s.get("description"),
                                    f"{prop} has no description")
                # Every result key has a type from the vocabulary.
                for key, s in m["result_schema"].get("properties",
                                                     {}).items():
                    self.assertTrue(s, f"result key {key} has no schema "
                                       "(add it to result_vocabulary.cc)")

    def doc_examples(self):
        with open(os.path.join(ROOT, "docs", "API.md"),
                  encoding="utf-8") as f:
            text = f.read()
        blocks = re.findall(r"```json\n(.*?)\n```", text, re.S)
        return [json.loads(b) for b in blocks]

    def test_docs_examples(self):
        examples = self.doc_examples()
        self.assertGreater(len(examples), 30)
        for req in examples:
            m = self.methods[req["method"]]
            params = req.get("params", {})
            with self.subTest(request=json.dumps(req)):
                Validator(m["params_schema"]).validate(
                    canonical_params(m, params))
                self.fixture()
                reply = self.c.call(req["method"], params)
                self.assertNotIn("error", reply)
                Validator(m["result_schema"]).validate(reply["result"])

    def test_unknown_params(self):
        self.c.ok("goxel.create_project", {"name": "u"})
        for name, m in self.methods.items():
            if name in ("echo", "goxel.set_config") or "shutdown" in name:
                continue
            props = list(m["params_schema"]["properties"])
            with self.subTest(method=name):
                reply = self.c.call(name, {"no_such_param": 1})
                err = reply.get("error")
                self.assertIsNotNone(err, reply)
                self.assertEqual(err["code"], -32602)
                self.assertEqual(err["data"]["unknown"], ["no_such_param"])
                self.assertIn("no_such_param", err["message"])
                if not props:
                    continue
                # A typo of a canonical name is answered with that name.
                typo = props[0][:-1] + "q" if len(props[0]) > 3 else \
                    props[0] + "q"
                err = self.c.call(name, {typo: 1})["error"]
                self.assertEqual(err["data"].get("suggestion"), props[0],
                                 err)
                self.assertIn(f"did you mean '{props[0]}'?", err["message"])
        err = self.c.call("goxel.procedural_shape",
                          {"shape_type": "sphere", "center": [5, 5, 5],
                           "radius": 2})["error"]
        self.assertTrue(err["message"].startswith(
            "unknown parameter 'center'; did you mean 'position'? "
            "accepted: "), err)

    def test_aliases(self):
        self.c.ok("goxel.create_project", {"name": "a"})
        for name, m in self.methods.items():
            props = m["params_schema"]["properties"]
            for alias, canonical in m["aliases"].items():
                with self.subTest(method=name, alias=alias):
                    self.assertIn(canonical, props)
                    self.assertNotIn(alias, props)
                    # Dispatch knows the mapping: both names at once is an
                    # error naming the canonical one.
                    err = self.c.call(name, {alias: 1, canonical: 1})
                    self.assertEqual(err["error"]["code"], -32602, err)
                    self.assertEqual(err["error"]["data"]["canonical"],
                                     canonical)
        # And v14 names act like their canonical names.
        c = self.c
        c.ok("goxel.add_voxel", {"x": 1, "y": 2, "z": 3, "r": 9, "g": 8,
                                 "b": 7})
        self.assertEqual(c.ok("goxel.get_voxel", {"position": [1, 2, 3]})
                         ["color"], [9, 8, 7, 255])
        c.ok("goxel.create_layer", {"name": "L"})
        c.ok("goxel.add_voxel", {"position": [4, 4, 4], "color": "#010203",
                                 "layer_id": "L"})
        self.assertEqual(c.ok("goxel.get_voxel", {"position": [4, 4, 4],
                                                  "layer": "L"})["color"],
                         [1, 2, 3, 255])
        c.ok("goxel.delete_layer", {"layer_name": "L"})
        names = [l["name"] for l in c.ok("goxel.list_layers")["layers"]]
        self.assertNotIn("L", names)
        r = c.ok("goxel.procedural_shape",
                 {"shape_type": "cube", "center_x": 10, "center_y": 0,
                  "center_z": 0, "size_x": 3, "size_y": 3, "size_z": 3,
                  "color": "#ffffff"})
        self.assertEqual(r["cells"], 27)
        bb = c.ok("goxel.get_voxels_region", {"min": [9, -1, -1],
                                              "max": [11, 1, 1]})
        self.assertEqual(bb["total"], 27)
        r = c.ok("goxel.create_project", {"width": 8, "height": 9,
                                          "depth": 10})
        self.assertEqual([r["width"], r["height"], r["depth"]], [8, 9, 10])
        r = c.ok("goxel.create_project", {"size": [16, 16, 16]})
        self.assertEqual([r["width"], r["height"], r["depth"]],
                         [16, 16, 16])
        c.ok("goxel.add_voxel", {"position": [0, 0, 0], "color": "#ffffff"})
        r = c.ok("goxel.render_scene", {"output_path": "alias.png",
                                        "width": 8, "height": 8})
        self.assertTrue(r["path"].endswith("/alias.png"))
        self.assertTrue(os.path.exists(os.path.join(self.daemon.data_dir,
                                                    "alias.png")))

    def test_layer_param(self):
        """Every method that takes `layer` reads it (by name and by id): a
        layer that does not exist is -32002 naming `layer`, with the
        project's layer ids as integers, as in results."""
        examples = {}
        for req in self.doc_examples():
            if isinstance(req.get("params"), dict):
                examples.setdefault(req["method"], req["params"])
        examples["add_voxels"] = {"voxels": [{"x": 9, "y": 9, "z": 9, "r": 1,
                                             "g": 2, "b": 3}]}
        checked = 0
        for name, m in self.methods.items():
            if "layer" not in m["params_schema"]["properties"]:
                continue
            self.assertIn(name, examples, f"{name} has no example")
            for layer in ("no such layer", 999):
                with self.subTest(method=name, layer=layer):
                    self.fixture()
                    params = {k: v for k, v in examples[name].items()
                              if m["aliases"].get(k) != "layer"}
                    params["layer"] = layer
                    err = self.c.call(name, params).get("error")
                    self.assertIsNotNone(err, params)
                    self.assertEqual(err["code"], -32002, err)
                    self.assertEqual(err["data"]["param"], "layer", err)
                    for lid in err["data"].get("layer_ids", []):
                        self.assertIsInstance(lid, int, err)
            checked += 1
        self.assertGreater(checked, 20)
        # And an existing layer is the one read: the fixture's voxels are
        # in layer 1, layer "roof" is empty.
        self.fixture()
        c = self.c
        for call, empty in (
                (("goxel.get_voxel", {"position": [0, 0, 0]}),
                 lambda r: not r["exists"]),
                (("goxel.get_voxels", {"voxels": [[0, 0, 0]]}),
                 lambda r: r["found"] == 0),
                (("goxel.get_voxels_region", {"min": [0, 0, 0],
                                              "max": [3, 3, 3]}),
                 lambda r: r["total"] == 0),
                (("goxel.get_bounding_box", {}), lambda r: r["empty"]),
                (("goxel.get_unique_colors", {}),
                 lambda r: r["count"] == 0)):
            with self.subTest(call=call[0]):
                self.assertFalse(empty(c.ok(call[0], dict(call[1],
                                                          layer=1))))
                self.assertTrue(empty(c.ok(call[0], dict(call[1],
                                                         layer="roof"))))
        # copy_region reports its own params, not edit's operations[0].
        err = c.call("goxel.copy_region", {"min": [0, 0, 0],
                                           "max": [1, 1, 1],
                                           "offset": [5, 0, 0],
                                           "target_layer": 99})["error"]
        self.assertEqual(err["data"]["param"], "target_layer", err)
        self.assertNotIn("operation", err["data"])
        self.assertEqual(err["data"]["layer_ids"], [1, 2])

    def test_v14_parts(self):
        """A v14 colour or position given in part names the missing part
        and the canonical form; the part is not called required."""
        c = self.c
        c.ok("goxel.create_project", {"name": "parts"})
        for method, params, missing, canonical in (
                ("goxel.create_layer", {"r": 10}, "g", "color"),
                ("goxel.add_voxel", {"position": [0, 0, 0], "r": 1, "g": 2},
                 "b", "color"),
                ("goxel.add_voxel", {"x": 1, "color": "#ffffff"}, "y",
                 "position")):
            with self.subTest(method=method, params=params):
                err = c.call(method, params)["error"]
                self.assertEqual(err["code"], -32602)
                self.assertEqual(err["data"]["param"], missing)
                self.assertEqual(err["data"]["canonical"], canonical)
                self.assertNotIn("required", err["message"])
                self.assertIn(f"'{canonical}'", err["message"])

    def test_vox_front(self):
        """A MagicaVoxel character keeps its axes (z up, facing -y), so
        its face is what the `front` camera (at -y, looking along +y) sees:
        the knight's eyes are on the cells seen from -y, not from +y. (That
        the front preset stands at -y is tests/render/camera_test.cc's.)"""
        import shutil
        shutil.copy(os.path.join(ROOT, "tests", "data", "vox",
                                 "chr_knight.vox"), self.daemon.data_dir)
        c = self.c
        c.ok("goxel.load_project", {"path": "chr_knight.vox", "copy": True})
        voxels = c.ok("goxel.get_voxels_region",
                      {"min": [-256, -256, -256], "max": [256, 256, 256],
                       "limit": 10000})["voxels"]
        front, back = {}, {}
        for v in voxels:
            key = (v["x"], v["z"])
            if key not in front or v["y"] < front[key]["y"]:
                front[key] = v
            if key not in back or v["y"] > back[key]["y"]:
                back[key] = v
        eyes = [16, 16, 16, 255]
        self.assertEqual(sum(v["color"] == eyes for v in front.values()), 2)
        self.assertEqual(sum(v["color"] == eyes for v in back.values()), 0)

    def test_v14_forms(self):
        """GOXEL_V14.md's positional forms and v14's demo flow."""
        with goxel_rpc.Daemon(DAEMON) as d:
            c = d.client()
            # v14 clients send [] and expect a document to exist.
            st = c.ok("goxel.get_status", [])
            self.assertEqual(st["layer_count"], 1)
            c.ok("goxel.create_project", ["Snoopy", 32, 32, 32])
            white = [255, 255, 255, 255]
            for x in range(12, 15):
                c.ok("goxel.add_voxel", [x, 12, 8] + white)
            r = c.ok("goxel.add_voxel", [1, 2, 3, 10, 20, 30, 0, 0])
            self.assertEqual(r["color"], [10, 20, 30, 255])
            self.assertTrue(c.ok("goxel.get_voxel", [1, 2, 3])["exists"])
            c.ok("goxel.paint_voxels", [1, 2, 3, 1, 1, 1, 255, 0])
            c.ok("goxel.remove_voxel", [1, 2, 3, 0])
            self.assertFalse(c.ok("goxel.get_voxel", [1, 2, 3])["exists"])
            c.ok("goxel.procedural_shape", ["cube", 4, 4, 4, 0, 0, 20,
                                            200, 0, 0, 255, 0])
            c.ok("goxel.flood_fill", [0, 0, 0, 5, 5, 5, 255, 0])
            lay = c.ok("goxel.create_layer", ["top", 1, 2, 3, True])
            c.ok("goxel.set_layer_visibility", [lay["layer_id"], False])
            c.ok("goxel.list_layers", [])
            c.ok("goxel.get_layer_voxels", [0])
            c.ok("goxel.get_bounding_box", [])
            c.ok("goxel.get_voxels_region", {"min": [0, 0, 0],
                                             "max": [40, 40, 40],
                                             "layer_id": -1})
            c.ok("goxel.merge_layers", [lay["layer_id"], 1])
            c.ok("goxel.save_project", ["snoopy.gox"])
            r = c.ok("goxel.render_scene",
                     {"width": 80, "height": 60,
                      "options": {"return_mode": "file_path"},
                      "output_path": "snoopy_render.png"})
            self.assertTrue(os.path.exists(os.path.join(
                d.data_dir, "snoopy_render.png")), r)
            c.ok("goxel.render_scene", [64, 64, "png", "r2.png"])
            c.ok("goxel.export_model", ["snoopy.vox"])
            r = c.ok("goxel.load_project", ["snoopy.gox"])
            self.assertTrue(r["already_open"])
            c.close()

    def test_docs_fresh(self):
        with open(os.path.join(ROOT, "docs", "API.md"),
                  encoding="utf-8") as f:
            text = f.read()
        head = text[:text.index(gen_api_doc.MARKER)]
        new = head + gen_api_doc.generate(list(self.methods.values()))
        self.assertTrue(new == text,
                        "docs/API.md is stale: run scripts/gen_api_doc.py "
                        + DAEMON)

    def test_paths(self):
        with tempfile.TemporaryDirectory(prefix="goxel-paths-") as tmp:
            # A missing data directory stops the start: exit 1, path and
            # reason named.
            missing = os.path.join(tmp, "missing")
            p = subprocess.run([DAEMON, "--foreground", "--socket",
                                os.path.join(tmp, "s.sock"), "--data-dir",
                                missing], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(missing, p.stderr)
            self.assertIn("does not exist", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "s.sock")))
            # GOXEL_DATA_DIR names it too.
            p = subprocess.run([DAEMON, "--foreground", "--socket",
                                os.path.join(tmp, "s.sock")],
                               env=dict(os.environ, GOXEL_DATA_DIR=missing),
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(missing, p.stderr)
            # In the foreground without one: $XDG_DATA_HOME/goxel, created.
            xdg = os.path.join(tmp, "xdg")
            env = {k: v for k, v in os.environ.items()
                   if k not in ("GOXEL_DATA_DIR", "STATE_DIRECTORY")}
            env["XDG_DATA_HOME"] = xdg
            sock = os.path.join(tmp, "x.sock")
            proc = subprocess.Popen([DAEMON, "--foreground", "--socket",
                                     sock], env=env, cwd=tmp,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                c = None
                for _ in range(2000):
                    try:
                        c = goxel_rpc.Client(sock)
                        break
                    except OSError:
                        if proc.poll() is not None:
                            self.fail("daemon exited")
                        import time
                        time.sleep(0.01)
                c.ok("goxel.create_project", {"name": "p"})
                r = c.ok("goxel.save_project", {"path": "rel.gox"})
                self.assertEqual(r["path"],
                                 os.path.join(xdg, "goxel", "rel.gox"))
                self.assertFalse(os.path.exists(os.path.join(tmp,
                                                             "rel.gox")))
                # The directory created at start holds autosave's lock: the
                # daemon autosaves there from its first start on.
                self.assertTrue(os.path.exists(os.path.join(
                    xdg, "goxel", ".goxel-daemon", "lock")))
                c.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        # goxel-client sends a relative path unchanged, from any directory:
        # it lands in the daemon's data directory.
        with goxel_rpc.Daemon(DAEMON) as d, \
                tempfile.TemporaryDirectory() as elsewhere:
            c = d.client()
            c.ok("goxel.create_project", {"name": "house"})
            c.ok("goxel.add_voxel", {"position": [0, 0, 0],
                                     "color": "#ffffff"})
            c.close()
            p = subprocess.run([CLIENT, "--socket", d.socket, "save",
                                "house.gox"], cwd=elsewhere,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
            self.assertTrue(os.path.exists(os.path.join(d.data_dir,
                                                        "house.gox")))
            self.assertFalse(os.path.exists(os.path.join(elsewhere,
                                                         "house.gox")))
            # --out writes on the client's side.
            p = subprocess.run([CLIENT, "--socket", d.socket, "render",
                                "--out", "view.png", "--width", "16",
                                "--height", "16"], cwd=elsewhere,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
            self.assertTrue(os.path.exists(os.path.join(elsewhere,
                                                        "view.png")))

    def test_projects(self):
        with goxel_rpc.Daemon(DAEMON) as d:
            c = d.client()
            for call in (("goxel.add_voxel", {"position": [0, 0, 0],
                                              "color": "#ffffff"}),
                         ("goxel.get_status", {}),
                         ("goxel.list_layers", None)):
                err = c.call(*call)["error"]
                self.assertEqual(err["code"], -32001)
                self.assertEqual(err["message"], "no project open: "
                                 "create_project or load_project first")
            self.assertEqual(c.ok("goxel.list_projects")["count"], 0)
            a = c.ok("goxel.create_project", {"name": "a"})
            c.ok("goxel.add_voxel", {"position": [0, 0, 0],
                                     "color": "#ffffff"})
            c.ok("goxel.save_project", {"path": "a.gox"})
            c.ok("goxel.add_voxel", {"position": [1, 0, 0],
                                     "color": "#ffffff"})
            c.ok("goxel.create_project", {"name": "b"})
            r = c.ok("goxel.load_project", {"path": "a.gox"})
            self.assertTrue(r["already_open"])
            self.assertEqual(r["project_id"], a["project_id"])
            self.assertTrue(r["dirty"])
            self.assertEqual(r["voxel_count"], 2)
            info = c.ok("goxel.get_project_info", {})
            self.assertEqual(info["project_id"], a["project_id"])
            r = c.ok("goxel.load_project", {"path": "a.gox", "copy": True})
            self.assertFalse(r["already_open"])
            self.assertNotEqual(r["project_id"], a["project_id"])
            self.assertEqual(r["voxel_count"], 1)
            self.assertEqual(c.ok("goxel.list_projects")["count"], 3)
            # Any format: a .vox file loaded twice is one project.
            c.ok("goxel.export_model", {"path": "a.vox"})
            v = c.ok("goxel.load_project", {"path": "a.vox"})
            self.assertFalse(v["already_open"])
            self.assertEqual(v["format"], "vox")
            c.ok("goxel.create_project", {"name": "c"})
            r = c.ok("goxel.load_project", {"path": "a.vox"})
            self.assertTrue(r["already_open"])
            self.assertEqual(r["project_id"], v["project_id"])
            self.assertEqual(r["format"], "vox")
            self.assertEqual(c.ok("goxel.get_project_info", {})
                             ["project_id"], v["project_id"])
            self.assertFalse(c.ok("goxel.load_project",
                                  {"path": "a.vox", "copy": True})
                             ["already_open"])
            c.close()

    def test_shapes(self):
        c = self.c
        expected = {"box": 4 * 4 * 4, "cube": 4 * 4 * 4}
        for shape in ("box", "cube", "sphere", "ellipsoid", "cylinder",
                      "cone", "torus", "line"):
            with self.subTest(shape=shape):
                c.ok("goxel.create_project", {"name": shape})
                r = c.ok("goxel.procedural_shape",
                         {"shape_type": shape, "position": [0, 0, 0],
                          "size": [4, 4, 4], "color": "#ffffff"})
                self.assertGreater(r["voxels_created"], 0)
                self.assertEqual(r["voxels_created"], r["cells"])
                if shape in expected:
                    self.assertEqual(r["cells"], expected[shape])
                bb = c.ok("goxel.get_bounding_box", {})
                if shape in ("box", "cube"):
                    self.assertEqual(bb["min"], [-2, -2, -2])
                    self.assertEqual(bb["max"], [1, 1, 1])
        c.ok("goxel.create_project", {"name": "line"})
        r = c.ok("goxel.procedural_shape",
                 {"shape_type": "line", "start": [0, 0, 0], "end": [9, 0, 0],
                  "color": "#ffffff"})
        self.assertEqual(r["cells"], 10)
        bb = c.ok("goxel.get_bounding_box", {})
        self.assertEqual([bb["min"], bb["max"]], [[0, 0, 0], [9, 0, 0]])
        c.ok("goxel.create_project", {"name": "ellipsoid"})
        r = c.ok("goxel.procedural_shape",
                 {"shape_type": "ellipsoid", "size": [8, 4, 2],
                  "color": "#ffffff"})
        bb = c.ok("goxel.get_bounding_box", {})
        self.assertEqual([bb["min"], bb["max"]], [[-4, -2, -1], [4, 2, 1]])


if __name__ == "__main__":
    DAEMON, CLIENT = (os.path.abspath(a) for a in sys.argv[1:3])
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
