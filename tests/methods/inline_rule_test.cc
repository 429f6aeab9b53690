// The loop-thread rule (rpc/method_table.h kInline, methods/README.md): only
// methods whose cost does not grow with the model run on the loop thread.
// This list is the reviewed set; adding a method to it means arguing its
// bound in the README first.
#include <set>
#include <string>

#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using InlineRule = MethodsTest;

TEST_F(InlineRule, OnlyPointMethodsRunOnTheLoopThread) {
  Reply r = Ok("list_methods");
  std::set<std::string> inline_methods;
  for (const auto& m : r.result()["methods"].GetArray()) {
    const std::string flags = m["flags"].GetString();
    if (flags.find("inline") != std::string::npos)
      inline_methods.insert(m["method"].GetString());
  }
  const std::set<std::string> reviewed = {"goxel.add_voxel", "goxel.get_voxel",
                                          "goxel.remove_voxel"};
  EXPECT_EQ(inline_methods, reviewed);
}

}  // namespace
}  // namespace goxel::testing
