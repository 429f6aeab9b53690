#include "rpc/params.h"

#include <gtest/gtest.h>

namespace goxel::rpc {
namespace {

const std::vector<ParamSpec> kSpecs = {{"x", "integer", true, ""},
                                       {"name", "string", false, ""},
                                       {"on", "boolean", false, ""},
                                       {"f", "number", false, ""}};

JsonDocument Parse(const char* text) {
  JsonDocument d;
  d.Parse(text);
  return d;
}

TEST(Params, NamedAndPositionalReadTheSame) {
  JsonDocument named = Parse(R"({"x":3,"name":"tower","on":true,"f":1.5})");
  JsonDocument positional = Parse(R"([3,"tower",true,1.5])");
  for (const JsonDocument* d : {&named, &positional}) {
    Params p(d, &kSpecs);
    EXPECT_EQ(*p.Int("x"), 3);
    EXPECT_EQ(*p.String("name"), "tower");
    EXPECT_TRUE(*p.Bool("on"));
    EXPECT_DOUBLE_EQ(*p.Number("f"), 1.5);
  }
}

TEST(Params, NullAndAbsentUseTheFallback) {
  JsonDocument d = Parse(R"([null])");
  Params p(&d, &kSpecs);
  EXPECT_EQ(*p.Int("x", 9), 9);
  EXPECT_EQ(*p.String("name", "dflt"), "dflt");
  Params none(nullptr, &kSpecs);
  EXPECT_FALSE(none.Int("x").ok());
}

TEST(Params, WrongTypesAreErrorsNeverZero) {
  JsonDocument d = Parse(R"({"x":"3","on":1,"f":"1"})");
  Params p(&d, &kSpecs);
  Status s = p.Int("x").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidParams);
  EXPECT_EQ(std::get<std::string>(*s.Find("param")), "x");
  EXPECT_FALSE(p.Bool("on").ok());
  EXPECT_FALSE(p.Number("f").ok());
  EXPECT_FALSE(p.Int("x", 0).ok());  // present but wrong: not the fallback
}

TEST(Params, IntegersMayBeWrittenAsWholeDoubles) {
  JsonDocument d = Parse(R"({"x":4.0})");
  Params p(&d, &kSpecs);
  EXPECT_EQ(*p.Int("x"), 4);
  JsonDocument frac = Parse(R"({"x":4.5})");
  Params q(&frac, &kSpecs);
  EXPECT_FALSE(q.Int("x").ok());
}

TEST(Params, RangeIsChecked) {
  JsonDocument d = Parse(R"({"x":65})");
  Params p(&d, &kSpecs);
  EXPECT_FALSE(p.IntInRange("x", 1, 64, std::nullopt).ok());
  EXPECT_EQ(*p.IntInRange("x", 1, 100, std::nullopt), 65);
}

TEST(Params, TooManyPositionalParamsIsAnError) {
  JsonDocument d = Parse(R"([1,"a",true,2.0,5])");
  Params p(&d, &kSpecs);
  EXPECT_FALSE(p.CheckShape(false).ok());
  EXPECT_TRUE(p.CheckShape(true).ok());
}

}  // namespace
// JsonPreview is ToJsonText's start, found without recursion; Wrong()
// quotes at most 64 bytes of the value it got.
TEST(Params, PreviewIsTheStartOfTheText) {
  for (const char* t :
       {"1", "-2.5e-7", "\"a\\u00e9\\n\"", "[]", "{}", "[1,[2,[3]],{\"a\":{}}]",
        R"({"k":[true,false,null,{"x":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}],)"
        R"("z":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]})",
        // Control characters past the first 16 bytes of a long string.
        R"(["0123456789abcdefghij and more text"])"}) {
    JsonDocument d = Parse(t);
    const std::string full = ToJsonText(d);
    for (size_t max : {0u, 1u, 5u, 20u, 64u, 1000u}) {
      std::string preview = JsonPreview(d, max);
      EXPECT_EQ(full.compare(0, preview.size(), preview), 0) << t;
      EXPECT_GE(preview.size(), std::min(full.size(), max + 1)) << t;
    }
    EXPECT_EQ(JsonPreview(d, 1000), full);
  }
  std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  JsonDocument d;
  d.Parse<rapidjson::kParseIterativeFlag>(deep.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(JsonPreview(d, 64), std::string(65, '['));
  Status s = Params::Wrong("x", "an integer", d);
  EXPECT_NE(s.message().find(std::string(61, '[') + "..."), std::string::npos);
}

}  // namespace goxel::rpc
