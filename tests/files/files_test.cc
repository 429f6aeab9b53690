// The file methods through the real daemon: loading every testdata file,
// save/reload, exports, imports, the path policy and bad files.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>

#include "files/files_fixture.h"

namespace goxel::testing {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new FilesDaemon();
    for (const char* f :
         {"vox/menger.vox", "vox/chr_knight.vox", "vox/deer.vox",
          "vox/monu0.vox", "vengi/robo.vox", "vengi/rgb.gox",
          "goxel/v14-scene.gox", "goxel/v14-scene.vox", "goxel/v14-scene.txt",
          "goxel/v14-scene.qb", "goxel/v14-scene.obj",
          "goxel/upstream-example1-v1.gox"}) {
      std::string name = std::filesystem::path(f).filename().string();
      CopyFile(TestData(f), daemon_->File(name));
    }
    ASSERT_TRUE(daemon_->Start()) << daemon_->process().Log();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  Reply Call(const std::string& m, const std::string& p = "") {
    return daemon_->Call(m, p);
  }
  Reply Ok(const std::string& m, const std::string& p = "") {
    return daemon_->Ok(m, p);
  }
  // Every voxel of a project, composed over its layers, as text.
  std::map<std::string, std::string> Voxels(const std::string& project) {
    Reply b = Ok("goxel.get_bounding_box",
                 R"({"project_id":")" + project + R"(","layer_id":-1})");
    std::map<std::string, std::string> out;
    if (!b.ok() || b.result()["empty"].GetBool()) return out;
    auto& min = b.result()["min"];
    auto& max = b.result()["max"];
    auto vec = [](const rapidjson::Value& v) {
      return "[" + std::to_string(v[0].GetInt()) + "," +
             std::to_string(v[1].GetInt()) + "," +
             std::to_string(v[2].GetInt()) + "]";
    };
    Reply r =
        Ok("goxel.get_voxels_region",
           R"({"project_id":")" + project + R"(","min":)" + vec(min) +
               R"(,"max":)" + vec(max) + R"(,"layer_id":-1,"limit":1000000})");
    EXPECT_FALSE(r.result()["truncated"].GetBool());
    for (const auto& v : r.result()["voxels"].GetArray()) {
      const auto& c = v["color"];
      out[std::to_string(v["x"].GetInt()) + "," +
          std::to_string(v["y"].GetInt()) + "," +
          std::to_string(v["z"].GetInt())] =
          std::to_string(c[0].GetInt()) + "," + std::to_string(c[1].GetInt()) +
          "," + std::to_string(c[2].GetInt()) + "," +
          std::to_string(c[3].GetInt());
    }
    return out;
  }

  static FilesDaemon* daemon_;
};

FilesDaemon* FilesTest::daemon_ = nullptr;

TEST_F(FilesTest, LoadsEveryTestdataFileWithItsVoxelCount) {
  // Counts from the testdata README and the formats tests (independent
  // readers); the other files must load and hold voxels.
  const std::map<std::string, int64_t> known = {
      {"menger.vox", 160000}, {"v14-scene.gox", 216},
      {"v14-scene.vox", 216}, {"v14-scene.txt", 216},
      {"v14-scene.qb", 216},  {"upstream-example1-v1.gox", 1580},
      {"rgb.gox", 99},        {"monu0.vox", 12717}};
  for (const char* name :
       {"menger.vox", "chr_knight.vox", "deer.vox", "monu0.vox", "robo.vox",
        "rgb.gox", "v14-scene.gox", "v14-scene.vox", "v14-scene.txt",
        "v14-scene.qb", "upstream-example1-v1.gox"}) {
    Reply r = Ok("goxel.load_project", "[" + Quote(name) + "]");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_TRUE(r.Bool("success"));
    EXPECT_EQ(r.Str("path"), daemon_->File(name));
    const std::string id = r.Str("project_id");
    Reply info = Ok("goxel.get_project_info");
    EXPECT_EQ(info.Str("project_id"), id) << "loaded project becomes active";
    EXPECT_FALSE(info.Bool("dirty")) << name;
    auto it = known.find(name);
    if (it != known.end()) {
      EXPECT_EQ(r.Int("voxel_count"), it->second) << name;
      EXPECT_EQ(info.Int("voxel_count"), it->second) << name;
    } else {
      EXPECT_GT(r.Int("voxel_count"), 0) << name;
    }
  }
  // robo.vox keeps its three models as layers.
  Reply robo = Ok("goxel.load_project", R"({"path":"robo.vox"})");
  EXPECT_GE(robo.Int("layer_count"), 3);
}

TEST_F(FilesTest, V14SceneGoxHasTheColoursOfV14SceneTxt) {
  Reply gox = Ok("goxel.load_project", R"(["v14-scene.gox"])");
  const auto from_gox = Voxels(gox.Str("project_id"));
  Reply txt = Ok("goxel.load_project", R"(["v14-scene.txt"])");
  const auto from_txt = Voxels(txt.Str("project_id"));
  EXPECT_EQ(from_gox.size(), 216u);
  EXPECT_EQ(from_gox, from_txt);
}

TEST_F(FilesTest, SaveThenReloadGivesTheSameVoxelsAndMarksSaved) {
  Reply loaded = Ok("goxel.load_project", R"(["upstream-example1-v1.gox"])");
  const std::string id = loaded.Str("project_id");
  Ok("goxel.add_voxel", R"({"x":100,"y":-7,"z":3,"color":[1,2,3,255]})");
  EXPECT_TRUE(Ok("goxel.get_project_info").Bool("dirty"));
  // The parent directory must exist: -32004 until it does.
  EXPECT_EQ(Call("goxel.save_project", R"(["out/saved.gox"])").code(), -32004);
  mkdir(daemon_->File("out").c_str(), 0755);
  Reply saved = Ok("goxel.save_project", R"(["out/saved.gox"])");
  EXPECT_EQ(saved.Str("path"), daemon_->File("out/saved.gox"));
  EXPECT_FALSE(saved.Bool("dirty"));
  Reply info = Ok("goxel.get_project_info");
  EXPECT_FALSE(info.Bool("dirty"));
  EXPECT_EQ(info.Str("file_path"), daemon_->File("out/saved.gox"));
  struct stat st;
  ASSERT_EQ(stat(daemon_->File("out/saved.gox").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  const std::vector<uint8_t> bytes = ReadBytes(daemon_->File("out/saved.gox"));
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "GOX ");
  EXPECT_EQ(bytes[4], 2);  // version 2, as Goxel writes

  // A copy: without it the open project that saved the file comes back.
  Reply same = Ok("goxel.load_project", R"(["out/saved.gox"])");
  EXPECT_EQ(same.Str("project_id"), id);
  EXPECT_TRUE(same.Bool("already_open"));
  Reply again =
      Ok("goxel.load_project", R"({"path":"out/saved.gox","copy":true})");
  EXPECT_NE(again.Str("project_id"), id);
  EXPECT_EQ(again.Int("voxel_count"), 1581);
  EXPECT_EQ(Voxels(again.Str("project_id")), Voxels(id));
}

TEST_F(FilesTest, SaveProjectFailsForAMissingDirectory) {
  Ok("goxel.load_project", R"(["v14-scene.gox"])");
  Reply r = Call("goxel.save_project", R"(["no/such/dir/x.gox"])");
  EXPECT_EQ(r.code(), -32004) << r.text;
  r = Call("goxel.save_project", R"(["x.vox"])");
  EXPECT_EQ(r.code(), -32602) << "save writes .gox only: " << r.text;
}

// Checks the header of each exported format.
void ExpectWellFormed(const std::string& format,
                      const std::vector<uint8_t>& b) {
  ASSERT_GT(b.size(), 16u) << format;
  const std::string head(b.begin(), b.begin() + 16);
  const std::map<std::string, std::string> magic = {
      {"gox", "GOX "},  {"vox", "VOX "}, {"qb", std::string("\1\1\0\0", 4)},
      {"ply", "ply\n"}, {"glb", "glTF"}, {"png_slices", "\x89PNG\r\n\x1a\n"}};
  auto it = magic.find(format);
  if (it != magic.end()) {
    EXPECT_EQ(head.substr(0, it->second.size()), it->second) << format;
  }
  if (format == "obj") {
    const std::string text(b.begin(), b.end());
    EXPECT_NE(text.find("\nv "), std::string::npos);
    EXPECT_NE(text.find("\nf "), std::string::npos);
  }
  if (format == "stl") {  // binary: 80-byte header, count, 50 per triangle
    uint32_t n;
    memcpy(&n, &b[80], 4);
    EXPECT_EQ(b.size(), 84u + 50u * n);
    EXPECT_GT(n, 0u);
  }
  if (format == "gltf") {
    rapidjson::Document d;
    d.Parse(reinterpret_cast<const char*>(b.data()), b.size());
    ASSERT_FALSE(d.HasParseError());
    EXPECT_STREQ(d["asset"]["version"].GetString(), "2.0");
  }
  if (format == "txt") {
    const std::string text(b.begin(), b.end());
    int lines = 0;
    for (char c : text) lines += c == '\n';
    EXPECT_GE(lines, 216);
  }
}

TEST_F(FilesTest, ExportsEveryWritableFormat) {
  Reply loaded = Ok("goxel.load_project", R"(["v14-scene.gox"])");
  Reply formats = Ok("goxel.list_formats");
  int written = 0;
  for (const auto& f : formats.result()["formats"].GetArray()) {
    EXPECT_TRUE(f.HasMember("display_name"));
    if (!f["write"].GetBool()) continue;
    const std::string name = f["name"].GetString();
    const std::string ext = f["extensions"][0].GetString();
    const std::string file = "export_" + name + "." + ext;
    Reply r =
        Ok("goxel.export_model", "[" + Quote(file) + "," + Quote(name) + "]");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(r.Str("format"), name);
    EXPECT_EQ(r.Str("path"), daemon_->File(file));
    auto bytes = ReadBytes(daemon_->File(file));
    EXPECT_EQ(static_cast<int64_t>(bytes.size()), r.Int("bytes"));
    ExpectWellFormed(name, bytes);
    ++written;
  }
  EXPECT_GE(written, 9);
  // By Goxel's display name, and by extension alone.
  Reply by_display = Ok("goxel.export_model",
                        R"({"path":"display.bin","format":"Magica voxel"})");
  EXPECT_EQ(by_display.Str("format"), "vox");
  ExpectWellFormed("vox", ReadBytes(daemon_->File("display.bin")));
  Reply by_ext = Ok("goxel.export_model", R"({"path":"by_ext.ply"})");
  EXPECT_EQ(by_ext.Str("format"), "ply");
  Reply unknown = Call("goxel.export_model", R"({"path":"x.unknown"})");
  EXPECT_EQ(unknown.code(), -32602);
  // Options reach the writer: greedy meshing makes a smaller OBJ.
  Ok("goxel.export_model", R"({"path":"s1.obj","optimize_mesh":false})");
  Ok("goxel.export_model", R"({"path":"s2.obj","optimize_mesh":true})");
  EXPECT_GT(ReadBytes(daemon_->File("s1.obj")).size(),
            ReadBytes(daemon_->File("s2.obj")).size());
  // The exported .vox reads back with every voxel.
  Reply back = Ok("goxel.load_project", R"(["display.bin", "vox"])");
  EXPECT_EQ(back.Int("voxel_count"), 216);
}

TEST_F(FilesTest, ImportModelAddsOneLayerToTheCurrentProject) {
  Reply p = Ok("goxel.create_project", R"({"name":"host"})");
  Ok("goxel.add_voxel", R"([0, 0, 0, 9, 9, 9, 255])");
  Reply r = Ok("goxel.import_model",
               R"({"path":"v14-scene.gox","offset":[1000,0,0]})");
  EXPECT_EQ(r.Str("project_id"), p.Str("project_id"));
  EXPECT_EQ(r.Int("voxel_count"), 216);
  Reply info = Ok("goxel.get_project_info");
  EXPECT_EQ(info.Int("layer_count"), 2);
  EXPECT_EQ(info.Int("voxel_count"), 217);
  EXPECT_EQ(info.Int("active_layer_id"), r.Int("layer_id"));
  EXPECT_GE(info.result()["bounding_box"]["min"][0].GetInt(), 0);
  EXPECT_GE(info.result()["bounding_box"]["max"][0].GetInt(), 1000);
  Reply far = Call("goxel.import_model",
                   R"({"path":"v14-scene.gox","offset":[2147483647,0,0]})");
  EXPECT_EQ(far.code(), -32003) << far.text;
  EXPECT_EQ(Ok("goxel.get_project_info").Int("layer_count"), 2);
}

TEST_F(FilesTest, PathsOutsideTheAllowedRootsAreRefused) {
  TempDir outside;
  CopyFile(TestData("goxel/v14-scene.gox"), outside.File("secret.gox"));
  ASSERT_EQ(symlink(outside.path().c_str(), daemon_->File("link").c_str()), 0);
  const std::string rel_up =
      "../" + std::filesystem::path(outside.path()).filename().string() +
      "/secret.gox";
  for (const std::string& path :
       {outside.File("secret.gox"), rel_up, std::string("link/secret.gox")}) {
    Reply r = Call("goxel.load_project", "[" + Quote(path) + "]");
    EXPECT_EQ(r.code(), -32005) << path << " " << r.text;
    EXPECT_EQ(r.data("path"), path);
    EXPECT_NE(r.data("allowed_roots").find(daemon_->data_dir()),
              std::string::npos);
    r = Call("goxel.save_project", "[" + Quote(path) + "]");
    EXPECT_EQ(r.code(), -32005) << path << " " << r.text;
    r = Call("goxel.export_model", "[" + Quote(path + ".obj") + "]");
    EXPECT_EQ(r.code(), -32005) << path << " " << r.text;
    r = Call("goxel.render_scene",
             R"({"output_path":)" + Quote(path + ".png") + "}");
    EXPECT_EQ(r.code(), -32005) << path << " " << r.text;
  }
  // Nothing was written outside.
  EXPECT_FALSE(std::filesystem::exists(outside.File("secret.gox.obj")));
  EXPECT_FALSE(std::filesystem::exists(outside.File("secret.gox.png")));
}

TEST_F(FilesTest, MissingFileIs32004) {
  Ok("goxel.create_project", "{}");  // import_model needs a project
  Reply r = Call("goxel.load_project", R"({"path":"does-not-exist.gox"})");
  EXPECT_EQ(r.code(), -32004) << r.text;
  r = Call("goxel.import_model", R"({"path":"nope/x.vox"})");
  EXPECT_EQ(r.code(), -32004) << r.text;
}

TEST_F(FilesTest, CorruptedFilesAre32602WithFormatOffsetAndReason) {
  std::vector<uint8_t> vox = ReadBytes(daemon_->File("v14-scene.vox"));
  vox.resize(vox.size() / 2);  // truncated mid-chunk
  WriteText(daemon_->File("truncated.vox"),
            std::string(vox.begin(), vox.end()));
  WriteText(daemon_->File("garbage.gox"),
            "GOX \2\0\0\0BL16\xff\xff\xff\x7fjunk");
  WriteText(daemon_->File("notvox.vox"), "this is not a vox file at all");
  for (const char* name : {"truncated.vox", "garbage.gox", "notvox.vox"}) {
    Reply r = Call("goxel.load_project", "[" + Quote(name) + "]");
    EXPECT_EQ(r.code(), -32602) << name << " " << r.text;
    EXPECT_FALSE(r.data("format").empty()) << r.text;
    EXPECT_FALSE(r.data("offset").empty()) << r.text;
    EXPECT_FALSE(r.data("reason").empty()) << r.text;
  }
  EXPECT_EQ(Call("goxel.load_project", R"(["garbage.gox"])").data("format"),
            "gox");
  // The daemon is still well.
  EXPECT_TRUE(Call("goxel.list_formats").ok());
}

// The .vox inputs fuzzing found (tests/fuzz/corpus/formats/vox), loaded
// through the daemon: a group that holds itself (it hung a worker forever)
// is refused at once as a cycle, 4^40 paths through shared groups stop at
// the walk's bound with -32006, and the daemon keeps serving.
TEST_F(FilesTest, FuzzFoundVoxSceneGraphsAreRefusedAtOnce) {
  const std::string corpus =
      std::string(GOXEL_TESTDATA_DIR) + "/../fuzz/corpus/formats/vox/";
  CopyFile(corpus + "group-holds-itself", daemon_->File("cycle.vox"));
  CopyFile(corpus + "exponential-shared-groups", daemon_->File("paths.vox"));
  Ok("goxel.create_project", "{}");  // import_model needs a project
  for (const char* method : {"goxel.load_project", "goxel.import_model"}) {
    Reply r = Call(method, R"(["cycle.vox"])");
    EXPECT_EQ(r.code(), -32602) << method << " " << r.text;
    EXPECT_EQ(r.data("format"), "vox") << r.text;
    EXPECT_NE(r.text.find("cycle"), std::string::npos) << r.text;
    r = Call(method, R"(["paths.vox"])");
    EXPECT_EQ(r.code(), -32006) << method << " " << r.text;
    EXPECT_NE(r.text.find("visited"), std::string::npos) << r.text;
  }
  EXPECT_TRUE(Call("ping").ok());
}

TEST_F(FilesTest, WriteOnlyFormatsCannotBeLoaded) {
  Reply r = Call("goxel.load_project", R"(["v14-scene.obj"])");
  EXPECT_EQ(r.code(), -32602) << r.text;
  EXPECT_EQ(r.data("format"), "obj");
}

}  // namespace
}  // namespace goxel::testing
