// The strict validator and the in-situ builder behind envelope parsing.
#include "rpc/json_scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace goxel::rpc {
namespace {

bool Valid(const std::string& text) {
  JsonSyntaxError error;
  return ValidateJson(text, &error);
}

TEST(JsonScan, AcceptsStrictJson) {
  for (const char* t :
       {R"({"a":[1,-0,1.5e-3,1E+2,true,false,null,"x\"\\\/\b\f\n\r\t"]})",
        R"(["\u00e9\ud83d\ude00", "é😀"])", " [ ] ", "{}", "0", "\"\"",
        "18446744073709551616", "1e-400"}) {
    EXPECT_TRUE(Valid(t)) << t;
  }
}

TEST(JsonScan, RefusesWhatRfc8259Refuses) {
  for (const char* t : {"[1,]",
                        R"({"a":1,})",
                        "[1 2]",
                        "{\"a\" 1}",
                        "[NaN]",
                        "[Infinity]",
                        "[01]",
                        "[1.]",
                        "[1e]",
                        "[-]",
                        "[.5]",
                        "[+1]",
                        "// c\n[]",
                        "[/*c*/]",
                        "['a']",
                        "[\"a\tb\"]",
                        R"(["\x"])",
                        R"(["\u12G4"])",
                        R"(["\ud800"])",
                        R"(["\udc00"])",
                        R"(["\ud800\u0041"])",
                        "[tru]",
                        "[1e400]",
                        "",
                        "[] []",
                        "[",
                        "{\"a\":",
                        "\"abc"}) {
    EXPECT_FALSE(Valid(t)) << t;
  }
}

TEST(JsonScan, RefusesInvalidUtf8) {
  for (const char* t : {"[\"\xff\"]", "[\"\xc0\xaf\"]", "[\"\xe0\x80\xaf\"]",
                        "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
                        "[\"\xc3\"]", "[\xc3\xa9]"}) {
    EXPECT_FALSE(Valid(t)) << t;
  }
  EXPECT_TRUE(Valid("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]"));
}

TEST(JsonScan, ReportsWhereAndWhat) {
  JsonSyntaxError error;
  ASSERT_FALSE(ValidateJson("[1,2,]", &error));
  EXPECT_EQ(error.offset, 5u);
  EXPECT_EQ(error.code, rapidjson::kParseErrorValueInvalid);
}

TEST(JsonScan, BuildsTheSameValuesAsRapidJson) {
  std::string text =
      R"({"s":"a\u00e9\n","i":-5,"u":4000000000,"big":18446744073709551615,)"
      R"("d":1.5,"n":null,"arr":[[],{},true]})";
  ASSERT_TRUE(Valid(text));
  JsonDocument want;
  want.Parse(text.c_str());
  JsonDocument doc;
  JsonValue got;
  BuildInSitu(text.data(), text.data() + text.size(), doc.GetAllocator(), &got);
  EXPECT_TRUE(got == want);
  EXPECT_TRUE(got["u"].IsUint() && !got["u"].IsInt());
  EXPECT_EQ(got["big"].GetUint64(), 18446744073709551615ull);
}

TEST(JsonScan, FilterKeepsTopLevelMembersAsText) {
  struct KeepV : RawMemberFilter {
    std::string kept;
    bool KeepRaw(bool member, std::string_view key, size_t, char* v,
                 size_t n) override {
      if (!member || key != "v") return false;
      kept.assign(v, n);
      return true;
    }
  } filter;
  std::string text = R"({"a":1, "v" : [1, {"x":"y"}] ,"b":2})";
  JsonDocument doc;
  JsonValue got;
  BuildInSitu(text.data(), text.data() + text.size(), doc.GetAllocator(), &got,
              &filter);
  EXPECT_EQ(filter.kept, R"([1, {"x":"y"}])");
  EXPECT_FALSE(got.HasMember("v"));
  EXPECT_EQ(got["b"].GetInt(), 2);
}

TEST(JsonScan, FilterTellsMembersFromElements) {
  struct Record : RawMemberFilter {
    std::vector<std::string> seen;
    bool KeepRaw(bool member, std::string_view key, size_t index, char*,
                 size_t) override {
      seen.push_back((member ? "member '" + std::string(key) + "'"
                             : "element " + std::to_string(index)));
      return false;
    }
  };
  for (const char* text : {R"({"":1,"a":2})", "[1,2]"}) {
    std::string t = text;
    Record filter;
    JsonDocument doc;
    JsonValue got;
    BuildInSitu(t.data(), t.data() + t.size(), doc.GetAllocator(), &got,
                &filter);
    if (text[0] == '{') {
      EXPECT_EQ(filter.seen,
                (std::vector<std::string>{"member ''", "member 'a'"}));
    } else {
      EXPECT_EQ(filter.seen,
                (std::vector<std::string>{"element 0", "element 1"}));
    }
  }
}

// ---- Differential test against RapidJSON's strict reader -------------------
// Random and mutated texts go through ValidateJson and through RapidJSON with
// kParseValidateEncodingFlag; both must say the same (valid or not), and for
// a valid text BuildInSitu must build what RapidJSON builds. Each text is
// copied into a buffer of its exact size, so a sanitizer build sees any read
// past its end. Deliberate differences, skipped:
// - a lone low-surrogate escape ("\udc00"): refused by ours only;
// - numbers out of double range: RapidJSON 1.1.0 accepts some as +-inf
//   ("125e307") and refuses "0e400"; ours refuses exactly the infinite ones.

class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    std::string out;
    Ws(&out);
    Value(&out, 0);
    Ws(&out);
    return out;
  }

  // Inserts, deletes or replaces a few bytes, or splices in a fragment.
  void Mutate(std::string* t) {
    static const char kBytes[] =
        "{}[]\",:\\/ \t\n\r0123456789-+.eEtrufalsnbu\x01\x1f\x7f\x80\xbf"
        "\xc0\xc2\xe0\xed\xf0\xf4\xf5\xff\x0b\x0c";
    static const char* const kFragments[] = {"\\u",          "\\ud800",
                                             "\\udc00",      "\\ud83d\\ude00",
                                             "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                             "\xc0\xaf",     "\xe0\x80\xaf",
                                             ",]",           ",}",
                                             "NaN",          "Infinity",
                                             "01",           "1.",
                                             ".5",           "1e",
                                             "+1",           "//",
                                             "/*",           "\\x",
                                             "\\'",          "\xef\xbb\xbf"};
    int n = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < n; ++i) {
      size_t pos = t->empty() ? 0 : rng_() % (t->size() + 1);
      switch (rng_() % 4) {
        case 0:
          t->insert(pos, 1, kBytes[rng_() % (sizeof(kBytes) - 1)]);
          break;
        case 1:
          if (pos < t->size()) t->erase(pos, 1 + rng_() % 3);
          break;
        case 2:
          if (pos < t->size())
            (*t)[pos] = kBytes[rng_() % (sizeof(kBytes) - 1)];
          break;
        default:
          t->insert(pos, kFragments[rng_() % std::size(kFragments)]);
          break;
      }
    }
  }

 private:
  void Ws(std::string* out) {
    static const char* const kWs[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
    out->append(kWs[rng_() % std::size(kWs)]);
  }

  void String(std::string* out) {
    static const char* const kPieces[] = {"a",
                                          "key",
                                          "\\\"",
                                          "\\\\",
                                          "\\/",
                                          "\\b",
                                          "\\f",
                                          "\\n",
                                          "\\r",
                                          "\\t",
                                          "\\u0000",
                                          "\\u00e9",
                                          "\\uFFFF",
                                          "\\ud83d\\ude00",
                                          "\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80",
                                          "\x7f",
                                          " ",
                                          "0123456789abcdef"};
    out->push_back('"');
    int n = static_cast<int>(rng_() % 6);
    for (int i = 0; i < n; ++i)
      out->append(kPieces[rng_() % std::size(kPieces)]);
    out->push_back('"');
  }

  void Number(std::string* out) {
    static const char* const kNumbers[] = {"0",
                                           "-0",
                                           "1",
                                           "-1",
                                           "7.25",
                                           "-0.5",
                                           "1e2",
                                           "1E+2",
                                           "2e-3",
                                           "-0.0e0",
                                           "4294967295",
                                           "4294967296",
                                           "-2147483648",
                                           "-2147483649",
                                           "18446744073709551615",
                                           "18446744073709551616",
                                           "-9223372036854775809",
                                           "123456789012345678901234567890",
                                           "1.5e-300",
                                           "6.02e23"};
    out->append(kNumbers[rng_() % std::size(kNumbers)]);
  }

  void Value(std::string* out, int depth) {
    switch (rng_() % (depth < 4 ? 8 : 6)) {
      case 0:
        String(out);
        break;
      case 1:
      case 2:
        Number(out);
        break;
      case 3:
        out->append("true");
        break;
      case 4:
        out->append("false");
        break;
      case 5:
        out->append("null");
        break;
      case 6: {
        out->push_back('[');
        int n = static_cast<int>(rng_() % 4);
        for (int i = 0; i < n; ++i) {
          if (i > 0) out->push_back(',');
          Ws(out);
          Value(out, depth + 1);
          Ws(out);
        }
        out->push_back(']');
        break;
      }
      default: {
        out->push_back('{');
        int n = static_cast<int>(rng_() % 4);
        for (int i = 0; i < n; ++i) {
          if (i > 0) out->push_back(',');
          Ws(out);
          String(out);
          Ws(out);
          out->push_back(':');
          Ws(out);
          Value(out, depth + 1);
          Ws(out);
        }
        out->push_back('}');
        break;
      }
    }
  }

  std::mt19937 rng_;
};

// The deliberate differences listed above.
bool DeliberateDifference(const std::string& t, bool ours,
                          const JsonSyntaxError& error,
                          rapidjson::ParseErrorCode theirs) {
  if (!ours && theirs == rapidjson::kParseErrorNone &&
      error.code == rapidjson::kParseErrorStringUnicodeSurrogateInvalid &&
      error.offset + 6 <= t.size() && t[error.offset + 1] == 'u' &&
      (t[error.offset + 2] == 'd' || t[error.offset + 2] == 'D') &&
      strchr("cdefCDEF", t[error.offset + 3]) != nullptr) {
    return true;
  }
  return (!ours && error.code == rapidjson::kParseErrorNumberTooBig) ||
         (ours && theirs == rapidjson::kParseErrorNumberTooBig);
}

// Same values of the same RapidJSON kinds, members compared in order (so
// duplicate keys count, unlike operator==); doubles within an ulp or two,
// since RapidJSON's default reader does not always round correctly (ours
// does).
bool SameJson(const JsonValue& a, const JsonValue& b) {
  if (a.GetType() != b.GetType()) return false;
  if (a.IsNumber()) {
    if (a.IsInt() != b.IsInt() || a.IsUint() != b.IsUint() ||
        a.IsInt64() != b.IsInt64() || a.IsUint64() != b.IsUint64() ||
        a.IsDouble() != b.IsDouble()) {
      return false;
    }
    if (!a.IsDouble()) return a == b;
    double x = a.GetDouble(), y = b.GetDouble();
    return std::signbit(x) == std::signbit(y) &&
           std::fabs(x - y) <= 1e-15 * std::fmax(std::fabs(x), std::fabs(y));
  }
  if (a.IsString()) {
    return std::string_view(a.GetString(), a.GetStringLength()) ==
           std::string_view(b.GetString(), b.GetStringLength());
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto m = a.MemberBegin(), n = b.MemberBegin(); m != a.MemberEnd();
         ++m, ++n) {
      if (!SameJson(m->name, n->name) || !SameJson(m->value, n->value)) {
        return false;
      }
    }
    return true;
  }
  return a == b;  // null, true, false
}

TEST(JsonScan, AgreesWithRapidJsonOnRandomAndMutatedTexts) {
  RandomJson gen(20240611);
  int valid = 0, invalid = 0, skipped = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string t = gen.Document();
    if (i % 4 != 0) gen.Mutate(&t);
    if (t.find('\0') != std::string::npos) continue;  // RapidJSON stops there
    // Exact-size copies: a read past the end is a sanitizer error.
    std::unique_ptr<char[]> exact(new char[t.size() + 1]);
    memcpy(exact.get(), t.data(), t.size());
    JsonSyntaxError error;
    bool ours = ValidateJson(std::string_view(exact.get(), t.size()), &error);
    // In situ, as the daemon parsed requests before (Parse(str, length)
    // would skip stray byte-order-mark bytes).
    std::string copy = t;
    JsonDocument want;
    want.ParseInsitu<kStrictParseFlags>(copy.data());
    bool theirs = !want.HasParseError();
    if (ours != theirs &&
        DeliberateDifference(t, ours, error, want.GetParseError())) {
      ++skipped;
      continue;
    }
    ASSERT_EQ(ours, theirs)
        << "text: " << t << "\nours: " << error.code << " at " << error.offset
        << "\nRapidJSON: " << want.GetParseError() << " at "
        << want.GetErrorOffset();
    if (!ours) {
      ++invalid;
      continue;
    }
    ++valid;
    char* begin = exact.get();
    char* end = begin + t.size();
    EXPECT_EQ(SkipJsonWs(SkipJsonValue(SkipJsonWs(begin, end), end), end), end)
        << t;
    JsonDocument doc;
    JsonValue got;
    char* after = BuildInSitu(begin, end, doc.GetAllocator(), &got);
    EXPECT_EQ(SkipJsonWs(after, end), end) << t;
    EXPECT_TRUE(SameJson(got, want)) << t;
  }
  EXPECT_GT(valid, 800);
  EXPECT_GT(invalid, 800);
  EXPECT_LT(skipped, 200);
}

}  // namespace
}  // namespace goxel::rpc
