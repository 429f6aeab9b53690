// The inputs bench/rpc's programs share: a small method table and the
// large batch of the issue 2 parse figure.
#ifndef GOXEL_BENCH_RPC_RPC_INPUTS_H_
#define GOXEL_BENCH_RPC_RPC_INPUTS_H_

#include <string>

#include "rpc/method_table.h"

namespace goxel::rpc {

inline const MethodTable& Table() {
  static MethodTable* table = [] {
    auto* t = new MethodTable();
    (void)t->Add({"ping", "", {}, "", kControl, [](Call& c) {
                    c.result().SetObject();
                    c.result().AddMember("pong", true, c.alloc());
                    return Status::Ok();
                  }});
    (void)t->Add({"goxel.add_voxel",
                  "",
                  {{"x", "integer", true, ""},
                   {"y", "integer", true, ""},
                   {"z", "integer", true, ""}},
                  "",
                  kPooled,
                  [](Call& c) {
                    auto x = c.params().Int("x");
                    if (!x.ok()) return x.status();
                    c.result().SetObject();
                    c.result().AddMember("success", true, c.alloc());
                    return Status::Ok();
                  }});
    return t;
  }();
  return *table;
}

// One batch of `n` add_voxel requests with colour params, as a client that
// builds a model in one go would send.
inline std::string LargeBatch(int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"jsonrpc":"2.0","method":"goxel.add_voxel","params":{"x":)" +
         std::to_string(i % 256) + R"(,"y":)" + std::to_string(i / 256) +
         R"(,"z":7,"r":255,"g":128,"b":0,"a":255},"id":)" + std::to_string(i) +
         "}";
  }
  return s + "]";
}

}  // namespace goxel::rpc

#endif  // GOXEL_BENCH_RPC_RPC_INPUTS_H_
