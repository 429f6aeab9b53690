#include "rpc/json.h"

#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/itoa.h>

#include <cmath>
#include <cstring>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace goxel::rpc {

namespace {

// How the Writer escapes a byte: 0 (as it is), the letter after '\', or
// 'u' for \u00XX.
struct EscapeTable {
  char letter[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) letter[c] = 'u';
    for (const char* e = "\bb\tt\nn\ff\rr\"\"\\\\"; *e != '\0'; e += 2)
      letter[static_cast<unsigned char>(e[0])] = e[1];
  }
};
constexpr EscapeTable kEscape;

// The length of the prefix of [p, end) that needs no escape.
size_t PlainPrefix(const char* p, const char* end) {
  const char* const begin = p;
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // v <= 0x1F (unsigned) exactly where min(v, 0x1F) == v.
    const __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
        _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v));
    const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (bits != 0) return static_cast<size_t>(p - begin) + __builtin_ctz(bits);
    p += 16;
  }
#endif
  while (p < end && kEscape.letter[static_cast<unsigned char>(*p)] == 0) ++p;
  return static_cast<size_t>(p - begin);
}

void Append(std::string_view s, rapidjson::StringBuffer* out) {
  memcpy(out->Push(s.size()), s.data(), s.size());
}

}  // namespace

namespace {

// Writes the escape of `c` (kEscape.letter[c] != 0) at q, at most 6 bytes;
// returns the byte after it.
char* WriteEscape(unsigned char c, char* q) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char letter = kEscape.letter[c];
  *q++ = '\\';
  *q++ = letter;
  if (letter == 'u') {
    *q++ = '0';
    *q++ = '0';
    *q++ = kHex[c >> 4];
    *q++ = kHex[c & 15];
  }
  return q;
}

}  // namespace

void AppendJsonString(std::string_view s, rapidjson::StringBuffer* out) {
  if (s.size() < 32) {
    // Short (keys, mostly): room for the worst case at once, byte by byte.
    const size_t room = s.size() * 6 + 2;
    char* const start = out->Push(room);
    char* q = start;
    *q++ = '"';
    for (const char ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (kEscape.letter[c] == 0) {
        *q++ = ch;
      } else {
        q = WriteEscape(c, q);
      }
    }
    *q++ = '"';
    out->Pop(room - static_cast<size_t>(q - start));
    return;
  }
  // Long: plain runs found 16 bytes at a time and copied whole, and no
  // reservation of six times the length.
  *out->Push(1) = '"';
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p < end) {
    const size_t plain = PlainPrefix(p, end);
    Append(std::string_view(p, plain), out);
    p += plain;
    if (p == end) break;
    char* const at = out->Push(6);
    const char* after = WriteEscape(static_cast<unsigned char>(*p++), at);
    out->Pop(6 - static_cast<size_t>(after - at));
  }
  *out->Push(1) = '"';
}

void AppendJson(const JsonValue& v, rapidjson::StringBuffer* out) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      Append("null", out);
      return;
    case rapidjson::kFalseType:
      Append("false", out);
      return;
    case rapidjson::kTrueType:
      Append("true", out);
      return;
    case rapidjson::kStringType:
      AppendJsonString(std::string_view(v.GetString(), v.GetStringLength()),
                       out);
      return;
    case rapidjson::kNumberType: {
      char* p = out->Push(25);  // the Writer's bound, for dtoa too
      char* q;
      if (v.IsDouble()) {
        const double d = v.GetDouble();
        if (std::isfinite(d)) {
          q = rapidjson::internal::dtoa(d, p, 324);
        } else {
          q = p + 4;
          memcpy(p, "null", 4);
        }
      } else if (v.IsInt64()) {
        q = rapidjson::internal::i64toa(v.GetInt64(), p);
      } else {
        q = rapidjson::internal::u64toa(v.GetUint64(), p);
      }
      out->Pop(25 - static_cast<size_t>(q - p));
      return;
    }
    case rapidjson::kObjectType: {
      *out->Push(1) = '{';
      bool first = true;
      for (const auto& m : v.GetObject()) {
        if (!first) *out->Push(1) = ',';
        first = false;
        AppendJsonString(
            std::string_view(m.name.GetString(), m.name.GetStringLength()),
            out);
        *out->Push(1) = ':';
        AppendJson(m.value, out);
      }
      *out->Push(1) = '}';
      return;
    }
    case rapidjson::kArrayType: {
      *out->Push(1) = '[';
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) *out->Push(1) = ',';
        first = false;
        AppendJson(e, out);
      }
      *out->Push(1) = ']';
      return;
    }
  }
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
