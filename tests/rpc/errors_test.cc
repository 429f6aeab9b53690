// Every status code, generic or a module's, keeps its JSON-RPC number
// (docs/API.md) and a readable name for logs. rpc/errors.cc knows the codes
// of modules it does not include by value: this test pins those values to
// the owners' constants.
#include "rpc/errors.h"

#include <gtest/gtest.h>

#include "methods/status_codes.h"
#include "voxel/status_codes.h"

namespace goxel::rpc {
namespace {

struct Row {
  StatusCode code;
  int wire;
  const char* name;
};

TEST(Errors, EveryStatusCodeHasItsJsonRpcCodeAndName) {
  const Row rows[] = {
      {kParseError, -32700, "parse error"},
      {kInvalidRequest, -32600, "invalid request"},
      {kMethodNotFound, -32601, "method not found"},
      {StatusCode::kInvalidParams, -32602, "invalid params"},
      {StatusCode::kInternal, -32603, "internal error"},
      {StatusCode::kServerError, -32000, "server error"},
      {StatusCode::kIoError, -32000, "i/o error"},
      {methods::kProjectNotFound, -32001, "project not found"},
      {voxel::kLayerNotFound, -32002, "layer not found"},
      {voxel::kInvalidPosition, -32003, "invalid position"},
      {StatusCode::kFileNotFound, -32004, "file not found"},
      {StatusCode::kPermissionDenied, -32005, "permission denied"},
      {StatusCode::kResourceExhausted, -32006, "resource exhausted"},
      {methods::kConcurrentAccess, -32007, "concurrent access"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ErrorCodeFor(row.code), row.wire) << row.name;
  }
  // Module codes carry their names into the Status.
  for (const ModuleCode& c :
       {kParseError, kInvalidRequest, kMethodNotFound,
        methods::kProjectNotFound, voxel::kLayerNotFound,
        voxel::kInvalidPosition, methods::kConcurrentAccess}) {
    const Status s = Status::Error(c, "m");
    EXPECT_EQ(s.code(), static_cast<StatusCode>(c));
    bool found = false;
    for (const Row& row : rows) {
      if (row.code == s.code()) {
        EXPECT_STREQ(s.CodeName(), row.name);
        EXPECT_EQ(s.ToString(), std::string(row.name) + ": m");
        found = true;
      }
    }
    EXPECT_TRUE(found) << c.name();
  }
  EXPECT_STREQ(Status::Error(StatusCode::kInvalidParams, "m").CodeName(),
               "invalid params");
}

TEST(Errors, ModuleCodesAreInTheirModulesRanges) {
  auto range = [](StatusCode c) {
    return static_cast<StatusCode>(static_cast<uint16_t>(c) & 0xff00);
  };
  EXPECT_EQ(range(kParseError), StatusCode::kRpcCodes);
  EXPECT_EQ(range(kMethodNotFound), StatusCode::kRpcCodes);
  EXPECT_EQ(range(voxel::kLayerNotFound), StatusCode::kVoxelCodes);
  EXPECT_EQ(range(voxel::kInvalidPosition), StatusCode::kVoxelCodes);
  EXPECT_EQ(range(methods::kProjectNotFound), StatusCode::kMethodsCodes);
  EXPECT_EQ(range(methods::kConcurrentAccess), StatusCode::kMethodsCodes);
  // A code nobody defined is a bug: internal error, not a made-up number.
  EXPECT_EQ(ErrorCodeFor(static_cast<StatusCode>(0x2ff)), -32603);
  EXPECT_STREQ(StatusCodeName(static_cast<StatusCode>(0x2ff)), "voxel error");
}

}  // namespace
}  // namespace goxel::rpc
