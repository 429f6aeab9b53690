#include "rpc/json.h"

#include <vector>

namespace goxel::rpc {

std::string ToJsonText(const JsonValue& v) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

std::string JsonPreview(const JsonValue& v, size_t max) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  struct Frame {
    const JsonValue* container;
    rapidjson::SizeType next;  // member or element
  };
  std::vector<Frame> stack;
  const JsonValue* value = &v;
  for (;;) {
    if (value != nullptr) {
      if (value->IsObject()) {
        w.StartObject();
        stack.push_back({value, 0});
      } else if (value->IsArray()) {
        w.StartArray();
        stack.push_back({value, 0});
      } else {
        value->Accept(w);  // a scalar
      }
      value = nullptr;
    }
    if (stack.empty() || sb.GetSize() > max) break;
    Frame& f = stack.back();
    if (f.container->IsObject()) {
      if (f.next == f.container->MemberCount()) {
        w.EndObject(f.next);
        stack.pop_back();
        continue;
      }
      const auto member = f.container->MemberBegin() + f.next++;
      w.Key(member->name.GetString(), member->name.GetStringLength());
      value = &member->value;
    } else {
      if (f.next == f.container->Size()) {
        w.EndArray(f.next);
        stack.pop_back();
        continue;
      }
      value = &(*f.container)[f.next++];
    }
  }
  return std::string(sb.GetString(), sb.GetSize());
}

const char* JsonTypeName(const JsonValue& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsInt64() || v.IsUint64()) return "an integer";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

void DetailsToJson(const Status& status, JsonValue* out, JsonAllocator& alloc) {
  out->SetObject();
  for (const auto& field : status.details()) {
    JsonValue value;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            value = MakeString(v, alloc);
          } else if constexpr (std::is_same_v<V, bool>) {
            value.SetBool(v);
          } else if constexpr (std::is_same_v<V, int64_t>) {
            value.SetInt64(v);
          } else if constexpr (std::is_same_v<V, double>) {
            value.SetDouble(v);
          } else {
            value.SetArray();
            for (const auto& s : v) value.PushBack(MakeString(s, alloc), alloc);
          }
        },
        field.value);
    out->AddMember(MakeString(field.key, alloc), value, alloc);
  }
}

}  // namespace goxel::rpc
