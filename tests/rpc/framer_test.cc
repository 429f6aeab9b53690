#include "rpc/framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace goxel::rpc {
namespace {

using Kind = Framer::Kind;

struct Cut {
  Kind kind;
  std::string text;
};

// Feeds `chunks` one after another, as reads would deliver them, and
// returns every frame with its bytes.
std::vector<Cut> Feed(const std::vector<std::string>& chunks,
                      FramerLimits limits = {}) {
  Framer framer(limits);
  std::string buffer;
  std::vector<Cut> cuts;
  for (const auto& chunk : chunks) {
    buffer += chunk;
    for (;;) {
      Framer::Frame f = framer.Next(buffer);
      if (f.kind == Kind::kNeedMore) break;
      cuts.push_back({f.kind, buffer.substr(f.begin, f.end - f.begin)});
      if (f.kind == Kind::kTooLarge) return cuts;
    }
    size_t n = framer.Consumed();
    buffer.erase(0, n);
    framer.Rebase(n);
  }
  return cuts;
}

std::vector<std::string> Texts(const std::vector<Cut>& cuts) {
  std::vector<std::string> out;
  for (const auto& c : cuts) {
    if (c.kind == Kind::kText) out.push_back(c.text);
  }
  return out;
}

const char kStream[] =
    "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"}{\\\"\\\\\"],"
    "\"id\":1}\n"
    "[{\"a\":[1,{\"b\":\"]\"}]},{}]"
    "  \r\n\t{\n  \"pretty\": {\n    \"x\": \"\\u007b\"\n  }\n}\n"
    "{\"last\":\"no newline\"}";

const std::vector<std::string> kExpected = {
    "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"}{\\\"\\\\\"],"
    "\"id\":1}",
    "[{\"a\":[1,{\"b\":\"]\"}]},{}]",
    "{\n  \"pretty\": {\n    \"x\": \"\\u007b\"\n  }\n}",
    "{\"last\":\"no newline\"}",
};

TEST(Framer, CutsBackToBackTextsInOneWrite) {
  EXPECT_EQ(Texts(Feed({kStream})), kExpected);
}

TEST(Framer, CutsTheSameAtEverySplitPoint) {
  std::string all = kStream;
  for (size_t split = 0; split <= all.size(); ++split) {
    auto cuts = Feed({all.substr(0, split), all.substr(split)});
    EXPECT_EQ(Texts(cuts), kExpected) << "split at " << split;
    EXPECT_EQ(cuts.size(), kExpected.size()) << "split at " << split;
  }
}

TEST(Framer, CutsTheSameFedOneByteAtATime) {
  std::vector<std::string> bytes;
  for (char c : std::string(kStream)) bytes.push_back(std::string(1, c));
  EXPECT_EQ(Texts(Feed(bytes)), kExpected);
}

TEST(Framer, WaitsForAnUnfinishedText) {
  auto cuts = Feed({"{\"method\":\"ping\",\"params\":{\"s\":\"}\""});
  EXPECT_TRUE(cuts.empty());
}

TEST(Framer, ReportsGarbageAtOnceAndResynchronisesAtTheNextNewline) {
  auto cuts = Feed({"hello {\"not\":\"this\"}\n{\"ok\":1}"});
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].kind, Kind::kGarbage);
  EXPECT_EQ(cuts[0].text, "h");
  EXPECT_EQ(cuts[1].kind, Kind::kText);
  EXPECT_EQ(cuts[1].text, "{\"ok\":1}");
}

TEST(Framer, ReportsGarbageBeforeTheLineEnds) {
  // The error must not wait for a newline that may never come.
  auto cuts = Feed({"42"});
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].kind, Kind::kGarbage);
}

TEST(Framer, ReportsEachGarbageLineOnce) {
  auto cuts = Feed({"nope\n", "also bad\n", "[1]"});
  ASSERT_EQ(cuts.size(), 3u);
  EXPECT_EQ(cuts[0].kind, Kind::kGarbage);
  EXPECT_EQ(cuts[1].kind, Kind::kGarbage);
  EXPECT_EQ(cuts[2].kind, Kind::kText);
}

TEST(Framer, SkipsATextNestedTooDeepWhole) {
  FramerLimits limits;
  limits.max_depth = 4;
  std::string deep = "[[[[[1]]]]]";
  auto cuts = Feed({deep + "{\"after\":true}"}, limits);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].kind, Kind::kTooDeep);
  EXPECT_EQ(cuts[0].text, deep);
  EXPECT_EQ(cuts[1].kind, Kind::kText);
}

TEST(Framer, AcceptsNestingExactlyAtTheLimit) {
  FramerLimits limits;
  limits.max_depth = 4;
  auto cuts = Feed({"[[[[1]]]]"}, limits);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].kind, Kind::kText);
}

TEST(Framer, ReportsOversizeWhileStillReading) {
  FramerLimits limits;
  limits.max_text_bytes = 16;
  auto cuts = Feed({"{\"data\":\"0123456789", "0123456789"}, limits);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].kind, Kind::kTooLarge);
}

TEST(Framer, ReportsOversizeOfACompleteText) {
  FramerLimits limits;
  limits.max_text_bytes = 8;
  auto cuts = Feed({"{\"abcdefghij\":1}"}, limits);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].kind, Kind::kTooLarge);
}

TEST(Framer, IgnoresBracketsInsideStringsWithEscapedQuotes) {
  auto cuts = Feed({R"({"a":"\\\"]}"})", R"({"b":"\\"})"});
  EXPECT_EQ(Texts(cuts),
            (std::vector<std::string>{R"({"a":"\\\"]}"})", R"({"b":"\\"})"}));
}

}  // namespace
}  // namespace goxel::rpc
