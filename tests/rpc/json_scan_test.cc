// The strict validator and the in-situ builder behind envelope parsing.
#include "rpc/json_scan.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace goxel::rpc
