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

const char kPing[] = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":9}";

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

TEST(Framer, ReportsNestingTooDeepAtOnceAndSkipsTheLine) {
  FramerLimits limits;
  limits.max_depth = 4;
  auto cuts = Feed({"[[[[[1]]]]]{\"same line\":1}\n{\"after\":true}"}, limits);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].kind, Kind::kTooDeep);
  EXPECT_EQ(cuts[0].text, "[[[[[");  // cut at the bracket past the limit
  EXPECT_EQ(cuts[1].kind, Kind::kText);
  EXPECT_EQ(cuts[1].text, "{\"after\":true}");
}

TEST(Framer, AFloodOfOpeningBracketsDoesNotSwallowTheNextLine) {
  auto cuts = Feed({std::string(100000, '['), "\n", kPing});
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].kind, Kind::kTooDeep);
  EXPECT_EQ(cuts[0].text.size(), 129u);
  EXPECT_EQ(cuts[1].kind, Kind::kText);
  EXPECT_EQ(cuts[1].text, kPing);
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

// ---- Texts that can no longer become valid JSON -----------------------------

// Each is reported as kInvalid when its offending byte (the last one of
// `bad`) arrives, wherever the stream is split, and the request on the next
// line is still cut.
struct BadCase {
  const char* bad;     // up to and including the offending byte
  const char* reason;  // a word the reason must contain
};
const BadCase kBad[] = {
    {"[}", "'}'"},
    {"{]", "']'"},
    {"{\"a\":[1,2}", "'}'"},
    {"[{\"a\":1]", "']'"},
    {"[[[[[[{\"deep\":[[{}]]}]]]]]}", "'}'"},
    {"{\"a\":{\"b\":{\"c\":[}", "'}'"},
    {"{\"s\":\"line\n", "control"},
    {"[\"tab\t", "control"},
    {"[\"\\x", "escape"},
    {"[\"\\u12g", "hex"},
    {"[1,]", "value after ','"},
    {"{\"a\":1,}", "key after ','"},
    {"[1,}", "'}'"},
    {"{\"a\":1,]", "']'"},
    {"{\"a\" 1", "':'"},
    {"{1", "key"},
    {"{\"a\":}", "value after ':'"},
    {"{\"a\":]", "']'"},
    {"[1 2", "','"},
    {"[tru ", "literal"},
    {"[nul]", "literal"},
    {"[01", "leading zero"},
    {"[-x", "digit"},
    {"[1.]", "decimal"},
    {"[1e]", "exponent"},
    {"[1e+]", "exponent"},
    {"[\"a\":", "','"},
    {"{\"a\":1}}", nullptr},  // a complete text, then '}' is garbage
};

TEST(Framer, ReportsEveryMismatchWhenItsByteArrives) {
  for (const BadCase& c : kBad) {
    if (c.reason == nullptr) continue;
    const std::string bad = c.bad;
    // Fed up to the offending byte and no further: reported already.
    Framer framer;
    Framer::Frame f = framer.Next(bad.substr(0, bad.size() - 1));
    EXPECT_EQ(f.kind, Kind::kNeedMore) << bad;
    f = framer.Next(bad);
    ASSERT_EQ(f.kind, Kind::kInvalid) << bad;
    EXPECT_EQ(f.begin, 0u) << bad;
    EXPECT_EQ(f.end, bad.size()) << bad;
    EXPECT_NE(std::string(f.reason).find(c.reason), std::string::npos)
        << bad << ": " << f.reason;
  }
}

TEST(Framer, ResynchronisesAfterAMismatchAtEverySplitPoint) {
  for (const BadCase& c : kBad) {
    const std::string bad = c.bad;
    // The offending byte may itself be the newline (a string cut by one).
    const std::string stream =
        bad + (bad.back() == '\n' ? "" : " rest\n") + kPing + "\n" + kPing;
    for (size_t split = 0; split <= stream.size(); ++split) {
      auto cuts = Feed({stream.substr(0, split), stream.substr(split)});
      if (c.reason != nullptr) {
        ASSERT_EQ(cuts.size(), 3u) << bad << " split " << split;
        EXPECT_EQ(cuts[0].kind, Kind::kInvalid) << bad << " split " << split;
        EXPECT_EQ(cuts[0].text, bad);
      } else {  // a text, then its extra '}' is garbage
        ASSERT_EQ(cuts.size(), 4u) << bad << " split " << split;
        EXPECT_EQ(cuts[0].kind, Kind::kText) << bad;
        EXPECT_EQ(cuts[1].kind, Kind::kGarbage) << bad;
      }
      EXPECT_EQ(cuts[cuts.size() - 2].text, kPing) << bad << " split " << split;
      EXPECT_EQ(cuts.back().text, kPing) << bad << " split " << split;
    }
  }
}

TEST(Framer, MismatchDeepInsideALongTextIsFoundAtItsByte) {
  // Long strings and numbers before the mismatch, well past any block size.
  std::string t = "[{\"pad\":\"" + std::string(5000, 'x') + "\",\"n\":[";
  for (int i = 0; i < 500; ++i) t += std::to_string(i * 7919) + ",";
  t += "1}";
  for (size_t split : {size_t{1}, t.size() / 2, t.size() - 1}) {
    auto cuts = Feed({t.substr(0, split), t.substr(split), "\n", kPing});
    ASSERT_EQ(cuts.size(), 2u);
    EXPECT_EQ(cuts[0].kind, Kind::kInvalid);
    EXPECT_EQ(cuts[0].text.size(), t.size());
    EXPECT_EQ(cuts[1].text, kPing);
  }
}

TEST(Framer, TheSpecificationsInvalidBatchIsReportedAtOnce) {
  // JSON-RPC 2.0, "rpc call Batch, invalid JSON".
  const std::string bad =
      R"([{"jsonrpc":"2.0","method":"echo","params":[1],"id":"1"},)"
      R"({"jsonrpc":"2.0","method"])";
  auto cuts = Feed({bad});  // no newline: nothing more needs to arrive
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].kind, Kind::kInvalid);
  EXPECT_EQ(cuts[0].text, bad);
}

TEST(Framer, TruncatedObjectThenMoreRequests) {
  // A request cut off after a key: the next line's ping becomes its value
  // (valid so far), the one after it cannot follow, and is reported; the
  // line it is on is skipped and every later ping comes through.
  std::string stream = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":\n";
  for (int i = 0; i < 1000; ++i) stream += std::string(kPing) + "\n";
  auto cuts = Feed({stream});
  ASSERT_EQ(cuts.size(), 999u);
  EXPECT_EQ(cuts[0].kind, Kind::kInvalid);
  for (size_t i = 1; i < cuts.size(); ++i) ASSERT_EQ(cuts[i].text, kPing);

  // Cut inside a string: the raw newline ends it, and no ping is lost.
  stream = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"par\n";
  for (int i = 0; i < 1000; ++i) stream += std::string(kPing) + "\n";
  cuts = Feed({stream});
  ASSERT_EQ(cuts.size(), 1001u);
  EXPECT_EQ(cuts[0].kind, Kind::kInvalid);
  for (size_t i = 1; i < cuts.size(); ++i) ASSERT_EQ(cuts[i].text, kPing);
}

}  // namespace
}  // namespace goxel::rpc
