// Fuzzes the framer and the JSON-RPC envelope together, as a connection
// sees them: arbitrary bytes, split at an arbitrary point, framed, parsed
// and executed against a small method table. Must never crash, leak or
// hang, and every complete text must get a well-formed reply or none.
// Each text (and the whole input) is also parsed by RapidJSON's strict
// Reader on a copy, the reference: a text it refuses must get a -32700 at
// the same offset; one it accepts must not, unless the parser refused a lone
// surrogate escape, a number out of double range or nesting past kMaxDepth.
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "rpc/envelope.h"
#include "rpc/errors.h"
#include "rpc/framer.h"
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

void CheckParser(std::string_view text) {
  // NUL-padded: RapidJSON 1.1 reads a UTF-8 lead byte's continuation bytes
  // without looking for the end.
  const std::string copy = std::string(text) + std::string(3, '\0');
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> handler;
  rapidjson::StringStream in(copy.c_str());
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  rapidjson::ParseResult want = reader.Parse<kFlags>(in, handler);
  if (want && in.Tell() != text.size()) {
    want.Set(rapidjson::kParseErrorDocumentRootNotSingular, in.Tell());
  }
  auto parsed = goxel::rpc::ParseRequestText(text, Table());
  const goxel::Status& got = parsed->text_error;
  if (got.code() == goxel::rpc::kInvalidRequest &&
      got.message().find("nested deeper") != std::string::npos) {
    return;  // the depth limit: the reference has none
  }
  const bool refused = got.code() == goxel::rpc::kParseError;
  // A refusal the reference does not make comes at or before its error.
  const bool extra =
      refused && (got.message().find("surrogate") != std::string::npos ||
                  got.message().find("Number too big") != std::string::npos);
  if (!want.IsError()) {
    if (refused && !extra) __builtin_trap();
    return;
  }
  if (!refused) __builtin_trap();
  const size_t at = got.message().rfind(" at byte ");
  if (at == std::string::npos) __builtin_trap();
  const size_t offset = std::stoul(got.message().substr(at + 9));
  if (extra ? offset > want.Offset() : offset != want.Offset()) {
    __builtin_trap();
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
        CheckParser(text);
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
  CheckParser(std::string_view(bytes, len));
  buffer.append(bytes, split);
  if (drain()) {
    buffer.append(bytes + split, len - split);
    drain();
  }
  // Every reply is one line of JSON.
  if (!out.empty() && out.back() != '\n') __builtin_trap();
  return 0;
}
