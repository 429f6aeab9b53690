// Mesh exports: well-formed files, closed surfaces for closed models, and
// glTF that the Khronos validator accepts.
#include "voxel/formats/mesh.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "test_util.h"

namespace goxel::voxel::formats {
namespace {

using Polys = std::vector<std::vector<std::array<double, 3>>>;

// A closed, manifold model: a 6x5x4 block with a tunnel through it, in
// several colours so greedy meshing makes T-junctions.
Scene ClosedModel() {
  Scene s;
  Layer l;
  l.name = "block";
  for (int x = 0; x < 6; ++x)
    for (int y = 0; y < 5; ++y)
      for (int z = 0; z < 4; ++z) {
        if (y == 2 && z >= 1 && z <= 2) continue;  // the tunnel.
        const uint8_t r = static_cast<uint8_t>(x < 3 ? 200 : 40);
        l.volume.Set({x, y, z}, Rgba{r, static_cast<uint8_t>(z * 50), 9, 255});
      }
  s.layers.push_back(l);
  return s;
}

Polys ParseObj(const std::string& text, size_t* normals) {
  std::vector<std::array<double, 3>> v;
  Polys polys;
  std::istringstream in(text);
  std::string line;
  *normals = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "v") {
      std::array<double, 3> p;
      double r, g, b;
      ls >> p[0] >> p[1] >> p[2] >> r >> g >> b;
      EXPECT_FALSE(ls.fail()) << line;
      EXPECT_TRUE(r >= 0 && r <= 1 && g >= 0 && g <= 1 && b >= 0 && b <= 1);
      v.push_back(p);
    } else if (tag == "vn") {
      ++*normals;
    } else if (tag == "f") {
      std::vector<std::array<double, 3>> poly;
      std::string corner;
      while (ls >> corner) {
        const size_t idx = std::stoul(corner);
        EXPECT_GE(idx, 1u);
        EXPECT_LE(idx, v.size());
        EXPECT_NE(corner.find("//"), std::string::npos);
        if (idx >= 1 && idx <= v.size()) poly.push_back(v[idx - 1]);
      }
      EXPECT_EQ(poly.size(), 4u);
      polys.push_back(poly);
    }
  }
  return polys;
}

Polys ParseBinaryPly(const std::vector<uint8_t>& bytes) {
  const std::string text(bytes.begin(), bytes.end());
  const size_t end = text.find("end_header\n");
  EXPECT_NE(end, std::string::npos);
  size_t nv = 0, nf = 0;
  std::sscanf(text.c_str() + text.find("element vertex"), "element vertex %zu",
              &nv);
  std::sscanf(text.c_str() + text.find("element face"), "element face %zu",
              &nf);
  const uint8_t* p = bytes.data() + end + 11;
  EXPECT_EQ(bytes.size(), end + 11 + nv * 15 + nf * 17);
  std::vector<std::array<double, 3>> v(nv);
  for (size_t i = 0; i < nv; ++i, p += 15) {
    float f[3];
    std::memcpy(f, p, 12);
    v[i] = {f[0], f[1], f[2]};
  }
  Polys polys;
  for (size_t i = 0; i < nf; ++i, p += 17) {
    EXPECT_EQ(p[0], 4);
    std::vector<std::array<double, 3>> poly;
    for (int k = 0; k < 4; ++k) {
      int32_t idx;
      std::memcpy(&idx, p + 1 + 4 * k, 4);
      EXPECT_LT(static_cast<size_t>(idx), nv);
      poly.push_back(v[idx]);
    }
    polys.push_back(poly);
  }
  return polys;
}

Polys ParseStl(const std::vector<uint8_t>& bytes) {
  uint32_t n = 0;
  std::memcpy(&n, bytes.data() + 80, 4);
  EXPECT_EQ(bytes.size(), 84 + n * 50u);
  Polys polys;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* t = bytes.data() + 84 + i * 50 + 12;
    std::vector<std::array<double, 3>> tri;
    for (int k = 0; k < 3; ++k) {
      float f[3];
      std::memcpy(f, t + 12 * k, 12);
      tri.push_back({f[0], f[1], f[2]});
    }
    polys.push_back(tri);
  }
  return polys;
}

class MeshExport : public ::testing::TestWithParam<bool> {
 protected:
  WriteOptions Options() {
    WriteOptions o;
    o.optimize_mesh = GetParam();
    return o;
  }
};

TEST_P(MeshExport, ObjIsClosed) {
  auto obj = WriteObj(ClosedModel(), Options());
  ASSERT_TRUE(obj.ok());
  size_t normals = 0;
  const Polys polys = ParseObj(std::string(obj->begin(), obj->end()), &normals);
  EXPECT_EQ(normals, 6u);
  EXPECT_GT(polys.size(), 6u);
  EXPECT_EQ(testing::UnbalancedEdges(polys), 0);
}

TEST_P(MeshExport, PlyAndStlAreClosed) {
  auto ply = WritePly(ClosedModel(), Options());
  ASSERT_TRUE(ply.ok());
  EXPECT_EQ(testing::UnbalancedEdges(ParseBinaryPly(*ply)), 0);
  auto stl = WriteStl(ClosedModel(), Options());
  ASSERT_TRUE(stl.ok());
  EXPECT_EQ(testing::UnbalancedEdges(ParseStl(*stl)), 0);
}

TEST_P(MeshExport, RemovingAFaceIsDetected) {
  auto stl = WriteStl(ClosedModel(), Options());
  ASSERT_TRUE(stl.ok());
  Polys polys = ParseStl(*stl);
  polys.pop_back();
  EXPECT_GT(testing::UnbalancedEdges(polys), 0);
}

INSTANTIATE_TEST_SUITE_P(GreedyAndPlain, MeshExport, ::testing::Bool());

TEST(MeshExport, GreedyMergesFaces) {
  Scene s;
  Layer l;
  l.volume.FillBox({{0, 0, 0}, {9, 9, 9}}, Rgba{5, 5, 5, 255});
  s.layers.push_back(l);
  WriteOptions o;
  EXPECT_EQ(BuildMesh(l.volume, o, true).QuadCount(), 6u);
  o.optimize_mesh = false;
  EXPECT_EQ(BuildMesh(l.volume, o, true).QuadCount(), 600u);
}

TEST(MeshExport, AsciiPlyHasHeaderAndCounts) {
  WriteOptions o;
  o.ascii = true;
  auto ply = WritePly(ClosedModel(), o);
  ASSERT_TRUE(ply.ok());
  const std::string text(ply->begin(), ply->end());
  EXPECT_EQ(text.rfind("ply\nformat ascii 1.0\n", 0), 0u);
  size_t nv = 0, nf = 0;
  std::sscanf(text.c_str() + text.find("element vertex"), "element vertex %zu",
              &nv);
  std::sscanf(text.c_str() + text.find("element face"), "element face %zu",
              &nf);
  const std::string body = text.substr(text.find("end_header\n") + 11);
  EXPECT_EQ(static_cast<size_t>(std::count(body.begin(), body.end(), '\n')),
            nv + nf);
}

TEST(Gltf, StructureIsConsistent) {
  auto gltf = WriteGltf(ClosedModel(), WriteOptions());
  ASSERT_TRUE(gltf.ok());
  rapidjson::Document d;
  const std::string text(gltf->begin(), gltf->end());
  ASSERT_FALSE(d.Parse(text.c_str()).HasParseError());
  EXPECT_STREQ(d["asset"]["version"].GetString(), "2.0");
  const auto& prim = d["meshes"][0]["primitives"][0];
  EXPECT_TRUE(prim["attributes"].HasMember("COLOR_0"));
  const auto& acc = d["accessors"];
  const auto& views = d["bufferViews"];
  const int64_t vcount = acc[0]["count"].GetInt64();
  EXPECT_EQ(views[0]["byteLength"].GetInt64(), vcount * 12);
  EXPECT_EQ(views[1]["byteLength"].GetInt64(), vcount * 4);
  EXPECT_EQ(views[2]["byteLength"].GetInt64(), acc[2]["count"].GetInt64() * 4);
  EXPECT_EQ(
      d["buffers"][0]["byteLength"].GetInt64(),
      views[2]["byteOffset"].GetInt64() + views[2]["byteLength"].GetInt64());
}

// Runs the Khronos glTF validator (npm package gltf-validator, installed into
// the build tree on first use) on a .gltf and a .glb export.
TEST(Gltf, PassesKhronosValidator) {
  const std::string dir = std::string(GOXEL_BINARY_DIR) + "/gltf-validator";
  const std::string pkg = dir + "/node_modules/gltf-validator";
  if (!std::ifstream(pkg + "/package.json")) {
    const std::string cmd = "mkdir -p '" + dir + "' && cd '" + dir +
                            "' && timeout 120 npm install --no-audit --no-fund "
                            "gltf-validator >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0)
        << "npm install gltf-validator failed";
  }
  for (const char* ext : {"gltf", "glb"}) {
    auto bytes = std::string(ext) == "gltf"
                     ? WriteGltf(ClosedModel(), WriteOptions())
                     : WriteGlb(ClosedModel(), WriteOptions());
    ASSERT_TRUE(bytes.ok());
    const std::string file = dir + "/model." + ext;
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()),
               static_cast<std::streamsize>(bytes->size()));
    const std::string js =
        "const v=require('" + pkg +
        "');const fs=require('fs');"
        "v.validateBytes(new Uint8Array(fs.readFileSync('" +
        file +
        "')))"
        ".then(r=>{const i=r.issues;console.log(JSON.stringify(i.messages));"
        "process.exit(i.numErrors+i.numWarnings>0?1:0)})"
        ".catch(e=>{console.log(e);process.exit(2)})";
    const std::string cmd = "node -e \"" + js + "\"";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ext;
  }
}

}  // namespace
}  // namespace goxel::voxel::formats
