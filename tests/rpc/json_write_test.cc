// AppendJson (the reply writer) against RapidJSON's Writer, which it
// replaced: the same bytes for every value the Writer can write, over random
// values built to hit every escape, every number kind and the edges of the
// 16-byte string scan.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "rpc/json.h"

namespace goxel::rpc {
namespace {

// The Writer's text of `v`. (Built with RAPIDJSON_SSE2 or RAPIDJSON_SSE42,
// the Writer leaves bytes 0x1A-0x1F raw inside strings, which is not JSON:
// the build defines neither; WriterEscapesEveryControlCharacter checks.)
std::string WriterText(const JsonValue& v) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  EXPECT_TRUE(v.Accept(w));
  return std::string(sb.GetString(), sb.GetSize());
}

std::string AppendText(const JsonValue& v) {
  rapidjson::StringBuffer sb;
  sb.Put('>');  // appends: what was there stays
  AppendJson(v, &sb);
  std::string out(sb.GetString(), sb.GetSize());
  EXPECT_EQ(out[0], '>');
  return out.substr(1);
}

class ValueGen {
 public:
  explicit ValueGen(uint32_t seed) : rng_(seed) {}

  uint32_t operator()(uint32_t n) { return rng_() % n; }

  // Bytes of every kind: plain, quotes, backslashes, control characters,
  // UTF-8, NUL; lengths around the 16-byte scan.
  std::string Chars() {
    static const char* const kPieces[] = {"a",
                                          "xyz",
                                          "\"",
                                          "\\",
                                          "\n",
                                          "\t",
                                          "\b",
                                          "\f",
                                          "\r",
                                          "\x01",
                                          "\x1f",
                                          "\x7f",
                                          " ",
                                          "/",
                                          "\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80"};
    std::string s;
    const uint32_t n = (*this)(4) == 0 ? (*this)(80) : (*this)(20);
    for (uint32_t i = 0; i < n; ++i) {
      if ((*this)(10) == 0) {
        s.push_back('\0');
      } else if ((*this)(4) == 0) {
        s += kPieces[(*this)(sizeof kPieces / sizeof kPieces[0])];
      } else {
        s.push_back(static_cast<char>('a' + (*this)(26)));
      }
    }
    return s;
  }

  double Double() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      0.1,
                                      -1.5,
                                      1e-300,
                                      1e300,
                                      5e-324,
                                      1.0,
                                      1e21,
                                      1e22,
                                      123456789.125,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::min()};
    if ((*this)(3) == 0) return kSpecial[(*this)(sizeof kSpecial / 8)];
    uint64_t bits = (uint64_t{rng_()} << 32) | rng_();
    double d;
    memcpy(&d, &bits, 8);
    return std::isfinite(d) ? d : 2.5;
  }

  void Value(JsonValue* v, JsonAllocator& a, int depth) {
    switch ((*this)(depth > 0 ? 12 : 10)) {
      case 0:
        v->SetNull();
        return;
      case 1:
        v->SetBool((*this)(2) == 0);
        return;
      case 2:
      case 3: {
        std::string s = Chars();
        v->SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
        return;
      }
      case 4:
        v->SetInt(static_cast<int>(rng_()));
        return;
      case 5:
        v->SetUint(rng_());
        return;
      case 6:
        v->SetInt64(static_cast<int64_t>((uint64_t{rng_()} << 32) | rng_()));
        return;
      case 7:
        v->SetUint64((uint64_t{rng_()} << 32) | rng_());
        return;
      case 8:
      case 9:
        v->SetDouble(Double());
        return;
      case 10: {
        v->SetArray();
        const uint32_t n = (*this)(5);
        for (uint32_t i = 0; i < n; ++i) {
          JsonValue e;
          Value(&e, a, depth - 1);
          v->PushBack(e, a);
        }
        return;
      }
      default: {
        v->SetObject();
        const uint32_t n = (*this)(5);
        for (uint32_t i = 0; i < n; ++i) {
          std::string key = Chars();
          JsonValue e;
          Value(&e, a, depth - 1);
          v->AddMember(
              JsonValue(key.data(),
                        static_cast<rapidjson::SizeType>(key.size()), a),
              e, a);
        }
        return;
      }
    }
  }

 private:
  std::mt19937 rng_;
};

TEST(JsonWrite, SameBytesAsRapidJsonWriter) {
  ValueGen gen(2026);
  for (int i = 0; i < 20000; ++i) {
    JsonDocument doc;
    JsonValue v;
    gen.Value(&v, doc.GetAllocator(), 4);
    ASSERT_EQ(AppendText(v), WriterText(v)) << "value " << i;
  }
}

TEST(JsonWrite, NumberEdges) {
  JsonValue v;
  v.SetInt(std::numeric_limits<int>::min());
  EXPECT_EQ(AppendText(v), "-2147483648");
  v.SetInt64(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(AppendText(v), "-9223372036854775808");
  v.SetUint64(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(AppendText(v), "18446744073709551615");
  v.SetDouble(-0.0);
  EXPECT_EQ(AppendText(v), WriterText(v));
  v.SetDouble(1.0);
  EXPECT_EQ(AppendText(v), "1.0");
}

TEST(JsonWrite, EscapesAsTheWriterDoes) {
  JsonValue v;
  static const char kChars[] =
      "q\"b\\s/n\nt\tc\x01\x1f"
      "d\x7f"
      "0\0e\xc3\xa9";
  const std::string s(kChars, sizeof kChars - 1);
  v.SetString(rapidjson::StringRef(s.data(), s.size()));
  EXPECT_EQ(AppendText(v),
            "\"q\\\"b\\\\s/n\\nt\\tc\\u0001\\u001Fd\x7f"
            "0\\u0000e\xc3\xa9\"");
  EXPECT_EQ(AppendText(v), WriterText(v));
}

// JSON has no NaN or infinity: they are written as null, so the reply stays
// JSON (the Writer refuses them and leaves a truncated text).
TEST(JsonWrite, NonFiniteNumbersBecomeNull) {
  JsonDocument doc;
  JsonValue v(rapidjson::kArrayType);
  v.PushBack(JsonValue(std::nan("")), doc.GetAllocator());
  v.PushBack(JsonValue(std::numeric_limits<double>::infinity()),
             doc.GetAllocator());
  v.PushBack(JsonValue(-std::numeric_limits<double>::infinity()),
             doc.GetAllocator());
  v.PushBack(JsonValue(1), doc.GetAllocator());
  EXPECT_EQ(AppendText(v), "[null,null,null,1]");
  EXPECT_EQ(ToJsonText(v), "[null,null,null,1]");
}

// Every control character is escaped, wherever it falls in a long string.
TEST(JsonWrite, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string s(40, 'x');
    s[20] = static_cast<char>(c);
    JsonValue v(rapidjson::StringRef(s.data(), s.size()));
    const std::string text = AppendText(v);
    for (char ch : text) ASSERT_GE(static_cast<unsigned char>(ch), 0x20) << c;
    JsonDocument back;
    back.Parse(text.data(), text.size());
    ASSERT_FALSE(back.HasParseError()) << c;
    EXPECT_EQ(std::string(back.GetString(), back.GetStringLength()), s);
  }
}

// RapidJSON's Writer as the project builds it (the config output uses it):
// every control character escaped, wherever it falls in a long string.
TEST(JsonWrite, WriterEscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s(48, 'x');
      s[at] = static_cast<char>(c);
      JsonValue v(rapidjson::StringRef(s.data(), s.size()));
      for (char ch : WriterText(v)) {
        ASSERT_GE(static_cast<unsigned char>(ch), 0x20) << c << " at " << at;
      }
    }
  }
}

TEST(JsonWrite, LongStringsAcrossTheScanBlocks) {
  for (size_t len = 0; len < 70; ++len) {
    for (size_t at = 0; at <= len; at += 7) {
      std::string s(len, 'x');
      if (at < len) s[at] = (at % 2 == 0) ? '"' : '\x05';
      JsonValue v(rapidjson::StringRef(s.data(), s.size()));
      ASSERT_EQ(AppendText(v), WriterText(v)) << len << " " << at;
    }
  }
}

}  // namespace
}  // namespace goxel::rpc
