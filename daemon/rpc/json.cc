#include "rpc/json.h"

#include <vector>

namespace goxel::rpc {

void AppendJson(const JsonValue& v, rapidjson::StringBuffer* out) {
  JsonTextWriter writer(*out);
  v.Accept(writer);
}

void AppendJsonString(std::string_view s, rapidjson::StringBuffer* out) {
  JsonTextWriter writer(*out);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string ToJsonText(const JsonValue& v) {
  rapidjson::StringBuffer sb;
  AppendJson(v, &sb);
  return std::string(sb.GetString(), sb.GetSize());
}

std::string JsonPreview(const JsonValue& v, size_t max) {
  rapidjson::StringBuffer sb;
  struct Frame {
    const JsonValue* container;
    rapidjson::SizeType next;  // member or element
  };
  std::vector<Frame> stack;
  const JsonValue* value = &v;
  for (;;) {
    if (value != nullptr) {
      if (value->IsObject()) {
        *sb.Push(1) = '{';
        stack.push_back({value, 0});
      } else if (value->IsArray()) {
        *sb.Push(1) = '[';
        stack.push_back({value, 0});
      } else {
        AppendJson(*value, &sb);  // a scalar
      }
      value = nullptr;
    }
    if (stack.empty() || sb.GetSize() > max) break;
    Frame& f = stack.back();
    const bool object = f.container->IsObject();
    const rapidjson::SizeType size =
        object ? f.container->MemberCount() : f.container->Size();
    if (f.next == size) {
      *sb.Push(1) = object ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (f.next != 0) *sb.Push(1) = ',';
    if (object) {
      const auto member = f.container->MemberBegin() + f.next++;
      AppendJsonString(std::string_view(member->name.GetString(),
                                        member->name.GetStringLength()),
                       &sb);
      *sb.Push(1) = ':';
      value = &member->value;
    } else {
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
          } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
            value.SetArray();
            for (int64_t i : v) value.PushBack(JsonValue(i), alloc);
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
