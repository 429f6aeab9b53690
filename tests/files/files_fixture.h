// Helpers of the file-method tests: a daemon whose data directory is a
// fresh temporary directory (set by a config file), a Reply that reads
// results and errors, and small file readers.
// Thread contract: one thread per object.
#ifndef GOXEL_TESTS_FILES_FILES_FIXTURE_H_
#define GOXEL_TESTS_FILES_FILES_FIXTURE_H_

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon_harness.h"
#include "support/rpc_reply.h"

namespace goxel::testing {

inline std::string Quote(const std::string& s) { return "\"" + s + "\""; }

inline std::string TestData(const std::string& rel) {
  return std::string(GOXEL_TESTDATA_DIR) + "/" + rel;
}

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A failure (not an exception): a missing file fails the tests that read
// it, while the others in the suite still run.
inline void CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy_file(
      from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec)
    ADD_FAILURE() << "cannot copy " << from << " to " << to << ": "
                  << ec.message();
}

// A config file that sets the data directory and the autosave interval.
inline std::string WriteConfig(const TempDir& dir, const std::string& data_dir,
                               int autosave_seconds) {
  std::string path = dir.File("config.json");
  WriteText(path, R"({"paths":{"data_directory":")" + data_dir +
                      R"("},"performance":{"autosave_interval_seconds":)" +
                      std::to_string(autosave_seconds) + "}}");
  return path;
}

// A daemon over a fresh data directory.
class FilesDaemon {
 public:
  // Over a fresh data directory, or over `data_dir` when given.
  explicit FilesDaemon(int autosave_seconds = 3600,
                       const std::string& data_dir = "")
      : data_dir_(data_dir.empty() ? data_.path() : data_dir),
        config_(WriteConfig(conf_dir_, data_dir_, autosave_seconds)) {}

  // Starts (or restarts, on the same socket) the daemon and connects.
  bool Start(const std::string& socket_path = "") {
    if (!socket_path.empty()) daemon_.set_socket_path(socket_path);
    if (!daemon_.Start({"--workers", "2", "--config", config_})) return false;
    return client_.Connect(daemon_.socket_path());
  }
  Reply Call(const std::string& method, const std::string& params = "") {
    return CallOn(client_, method, params);
  }
  Reply Ok(const std::string& method, const std::string& params = "") {
    Reply r = Call(method, params);
    EXPECT_TRUE(r.ok()) << method << " " << params << " -> " << r.text;
    return r;
  }
  // The data directory (where relative paths resolve).
  const std::string& data_dir() const { return data_dir_; }
  std::string File(const std::string& name) const {
    return data_dir_ + "/" + name;
  }
  DaemonProcess& process() { return daemon_; }
  RpcClient& client() { return client_; }

 private:
  TempDir data_, conf_dir_;
  std::string data_dir_;
  std::string config_;
  DaemonProcess daemon_;
  RpcClient client_;
};

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_FILES_FILES_FIXTURE_H_
