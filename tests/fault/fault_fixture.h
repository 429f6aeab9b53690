// A daemon over a fresh data directory with a config of the test's choice,
// for the fault tests (issue 18).
// Thread contract: one thread per object.
#ifndef GOXEL_TESTS_FAULT_FAULT_FIXTURE_H_
#define GOXEL_TESTS_FAULT_FAULT_FIXTURE_H_

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon_harness.h"
#include "support/rpc_reply.h"

namespace goxel::testing {

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::symlink_status(path, ec).type() !=
         std::filesystem::file_type::not_found;
}

// `sections` is the inside of the config's top-level object besides paths,
// e.g. R"("daemon":{"shutdown_timeout_seconds":1})".
class FaultDaemon {
 public:
  explicit FaultDaemon(const std::string& sections = "",
                       const std::string& data_dir = "")
      : data_dir_(data_dir.empty() ? data_.path() : data_dir) {
    config_ = conf_.File("config.json");
    WriteText(config_, R"({"paths":{"data_directory":")" + data_dir_ + "\"}" +
                           (sections.empty() ? "" : "," + sections) + "}");
  }
  bool Start(std::vector<std::string> extra = {}, int workers = 2) {
    std::vector<std::string> args = {"--workers", std::to_string(workers),
                                     "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    if (!daemon_.Start(args)) return false;
    return client_.Connect(daemon_.socket_path());
  }
  Reply Call(const std::string& method, const std::string& params = "",
             int timeout_ms = 10000) {
    return CallOn(client_, method, params, timeout_ms);
  }
  Reply Ok(const std::string& method, const std::string& params = "") {
    Reply r = Call(method, params);
    EXPECT_TRUE(r.ok()) << method << " " << params << " -> " << r.text;
    return r;
  }
  const std::string& data_dir() const { return data_dir_; }
  std::string File(const std::string& name) const {
    return data_dir_ + "/" + name;
  }
  std::string AutosaveDir() const { return File(".goxel-daemon/autosave"); }
  DaemonProcess& process() { return daemon_; }
  RpcClient& client() { return client_; }

 private:
  TempDir data_, conf_;
  std::string data_dir_;
  std::string config_;
  DaemonProcess daemon_;
  RpcClient client_;
};

// Files in `dir` whose names contain `part`.
inline std::vector<std::string> FilesWith(const std::string& dir,
                                          const std::string& part) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.find(part) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_FAULT_FAULT_FIXTURE_H_
