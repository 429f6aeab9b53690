// Fuzzes the framer and the JSON-RPC envelope together, as a connection
// sees them: arbitrary bytes, split at an arbitrary point, framed, parsed
// and executed against a small method table. Must never crash, leak or
// hang, and every complete text must get a well-formed reply or none.
// Each text (and the whole input) also goes through ValidateJson and the
// reference validator, which must agree on the verdict, the error and its
// offset, and every JsonIndex entry must name a container's real end.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rpc/envelope.h"
#include "rpc/framer.h"
#include "rpc/json_scan.h"
#include "rpc/method_table.h"

namespace {

const goxel::rpc::MethodTable& Table() {
  static goxel::rpc::MethodTable* table = [] {
    auto* t = new goxel::rpc::MethodTable();
    (void)t->Add({"echo",
                  "",
                  {},
                  "",
                  goxel::rpc::kControl,
                  [](goxel::rpc::Call& c) {
                    if (c.params().raw())
                      c.result().CopyFrom(*c.params().raw(), c.alloc());
                    return goxel::Status::Ok();
                  },
                  true});
    (void)t->Add({"add",
                  "",
                  {{"a", "integer", true, ""}, {"b", "integer", true, ""}},
                  "",
                  goxel::rpc::kPooled,
                  [](goxel::rpc::Call& c) {
                    auto a = c.params().Int("a");
                    if (!a.ok()) return a.status();
                    auto b = c.params().Int("b", 0);
                    if (!b.ok()) return b.status();
                    c.result().SetInt64(*a + *b);
                    return goxel::Status::Ok();
                  }});
    return t;
  }();
  return *table;
}

void CheckValidator(std::string_view text) {
  goxel::rpc::JsonSyntaxError fast_error, ref_error;
  goxel::rpc::JsonIndex index;
  const bool fast = goxel::rpc::ValidateJson(text, &fast_error, &index);
  const bool ref = goxel::rpc::ValidateJsonReference(text, &ref_error);
  if (fast != ref) __builtin_trap();
  if (!fast && (fast_error.code != ref_error.code ||
                fast_error.offset != ref_error.offset)) {
    __builtin_trap();
  }
  const char* end = text.data() + text.size();
  for (const auto& e : index.entries) {
    if (goxel::rpc::SkipJsonValue(text.data() + e.open, end) !=
        text.data() + e.close + 1) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t split = data[0] % (size + 1);
  goxel::rpc::FramerLimits limits;
  limits.max_text_bytes = 4096;
  limits.max_depth = 16;
  goxel::rpc::Framer framer(limits);
  std::string buffer;
  std::string out;
  auto drain = [&] {
    for (;;) {
      auto f = framer.Next(buffer);
      if (f.kind == goxel::rpc::Framer::Kind::kNeedMore) break;
      if (f.kind == goxel::rpc::Framer::Kind::kText) {
        std::string_view text =
            std::string_view(buffer).substr(f.begin, f.end - f.begin);
        CheckValidator(text);
        auto parsed = goxel::rpc::ParseRequestText(text, Table());
        goxel::rpc::ExecuteText(*parsed, {}, {}, &out);
      }
      if (f.kind == goxel::rpc::Framer::Kind::kTooLarge) return false;
    }
    size_t n = framer.Consumed();
    buffer.erase(0, n);
    framer.Rebase(n);
    return true;
  };
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  size_t len = size - 1;
  split = split > len ? len : split;
  CheckValidator(std::string_view(bytes, len));
  buffer.append(bytes, split);
  if (drain()) {
    buffer.append(bytes + split, len - split);
    drain();
  }
  // Every reply is one line of JSON.
  if (!out.empty() && out.back() != '\n') __builtin_trap();
  return 0;
}
