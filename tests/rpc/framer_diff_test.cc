// The framer and the request parser (framer + RapidJSON in situ,
// envelope.h) against a reference: RapidJSON's strict Reader run on a copy
// of the text, iteratively, with no handler of ours. Random and mutated
// texts: escapes, backslash runs, multibyte UTF-8, brackets in strings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rpc/envelope.h"
#include "rpc/errors.h"
#include "rpc/framer.h"
#include "rpc/method_table.h"

namespace goxel::rpc {
namespace {

// ---- Generator
// ---------------------------------------------------------------

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  uint32_t operator()(uint32_t n) { return rng_() % n; }

  // One JSON value, nested up to `depth` more levels.
  void Value(std::string* out, int depth) {
    switch ((*this)(depth > 0 ? 9 : 6)) {
      case 0:
      case 1:
        String(out);
        break;
      case 2:
      case 3:
        Number(out);
        break;
      case 4:
        out->append((*this)(3) == 0 ? "true" : (*this)(2) ? "false" : "null");
        break;
      case 5:
        Ws(out);
        String(out);
        break;
      case 6:
      case 7: {
        out->push_back('{');
        int n = static_cast<int>((*this)(5));
        for (int i = 0; i < n; ++i) {
          if (i) out->push_back(',');
          Ws(out);
          String(out);
          Ws(out);
          out->push_back(':');
          Ws(out);
          Value(out, depth - 1);
          Ws(out);
        }
        out->push_back('}');
        break;
      }
      default: {
        out->push_back('[');
        int n = static_cast<int>((*this)(5));
        for (int i = 0; i < n; ++i) {
          if (i) out->push_back(',');
          Ws(out);
          Value(out, depth - 1);
          Ws(out);
        }
        out->push_back(']');
        break;
      }
    }
  }

  // A batch of request-like objects, long enough for the JsonIndex.
  std::string Batch() {
    std::string out;
    Pad(&out);
    out.push_back('[');
    int n = 1 + static_cast<int>((*this)(40));
    for (int i = 0; i < n; ++i) {
      if (i) out.push_back(',');
      Ws(&out);
      if ((*this)(8) == 0) {
        Value(&out, 3);
        continue;
      }
      out += R"({"jsonrpc":"2.0","method":)";
      String(&out);
      out += R"(,"params":)";
      out.push_back('{');
      int m = static_cast<int>((*this)(8));
      for (int k = 0; k < m; ++k) {
        if (k) out.push_back(',');
        String(&out);
        out.push_back(':');
        Value(&out, 2);
      }
      out += R"(},"id":)";
      Number(&out);
      out.push_back('}');
    }
    out.push_back(']');
    Pad(&out);
    return out;
  }

  // Inserts, deletes or replaces a few bytes, or splices in a fragment.
  void Mutate(std::string* t) {
    static const char kBytes[] =
        "{}[]\",:\\/ \t\n\r0123456789-+.eEtrufalsnbu\x01\x1f\x7f\x80\xbf"
        "\xc0\xc2\xe0\xed\xf0\xf4\xf5\xff";
    static const char* const kFragments[] = {
        "\\u",          "\\ud800",      "\\udc00", "\\\\\\", "\\\"",
        "\xed\xa0\x80", "\xf0\x9f\x98", ",]",      ",}",     "01",
        "1.",           "1e",           "\"",      "[[[",    "]]"};
    int n = 1 + static_cast<int>((*this)(3));
    for (int i = 0; i < n; ++i) {
      size_t pos = t->empty() ? 0 : (*this)(static_cast<uint32_t>(t->size()));
      switch ((*this)(4)) {
        case 0:
          t->insert(pos, 1, kBytes[(*this)(sizeof(kBytes) - 1)]);
          break;
        case 1:
          if (pos < t->size()) t->erase(pos, 1 + (*this)(3));
          break;
        case 2:
          if (pos < t->size()) (*t)[pos] = kBytes[(*this)(sizeof(kBytes) - 1)];
          break;
        default:
          t->insert(pos, kFragments[(*this)(std::size(kFragments))]);
          break;
      }
    }
  }

  // 0..70 bytes of whitespace: moves what follows across block edges.
  void Pad(std::string* out) {
    out->append((*this)(71), (*this)(2) ? ' ' : '\n');
  }

 private:
  void Ws(std::string* out) {
    static const char* const kWs[] = {"", "", "", "", " ", "\n", "\t ", "\r\n"};
    out->append(kWs[(*this)(std::size(kWs))]);
  }

  void String(std::string* out) {
    static const char* const kPieces[] = {
        "a",
        "goxel.add_voxel",
        "\\\"",
        "\\\\",
        "\\\\\\\\",
        "\\\\\\\"",
        "\\/",
        "\\n",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "{",
        "}",
        "[",
        "]",
        " ",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789"};
    out->push_back('"');
    int n = static_cast<int>((*this)(7));
    for (int i = 0; i < n; ++i)
      out->append(kPieces[(*this)(std::size(kPieces))]);
    out->push_back('"');
  }

  void Number(std::string* out) {
    static const char* const kNumbers[] = {"0",
                                           "-0",
                                           "7",
                                           "255",
                                           "-12",
                                           "123456",
                                           "1.5",
                                           "-0.25",
                                           "1e2",
                                           "2E-3",
                                           "6.02e+23",
                                           "4294967296",
                                           "18446744073709551616",
                                           "1e400"};
    out->append(kNumbers[(*this)(std::size(kNumbers))]);
  }

  std::mt19937 rng_;
};

// The start of a text, for failure messages (some are megabytes long).
// Control bytes are shown as \xNN.
std::string Show(const std::string& t) {
  std::string out;
  for (size_t i = 0; i < t.size() && i < 300; ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (c < 0x20 || c == 0x7f) {
      char hex[8];
      snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out.push_back(t[i]);
    }
  }
  return t.size() <= 300 ? out : out + "...";
}

// ---- The reference ----------------------------------------------------------

struct JsonSyntaxError {
  size_t offset = 0;
  rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone;
};

// RapidJSON's strict Reader on a copy of `text`: no recursion, no in-situ
// writes, no handler of ours.
bool ReferenceParse(const std::string& text, JsonSyntaxError* error) {
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> handler;
  // NUL-padded: RapidJSON 1.1 reads a UTF-8 lead byte's continuation bytes
  // without looking for the end.
  const std::string padded = text + std::string(3, '\0');
  rapidjson::StringStream in(padded.c_str());
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  rapidjson::ParseResult r = reader.Parse<kFlags>(in, handler);
  if (r && in.Tell() != text.size()) {  // a NUL byte ends the Reader's input
    r.Set(rapidjson::kParseErrorDocumentRootNotSingular, in.Tell());
  }
  error->code = r.Code();
  error->offset = r.Offset();
  return !r.IsError();
}

// ---- The framer against the reference -----------------------------------

// Frames `stream` fed in chunks cut at `cuts`, dropping consumed bytes as the
// server does; returns every frame with offsets in the whole stream.
struct Event {
  Framer::Kind kind;
  size_t begin, end;
  bool operator==(const Event&) const = default;
};
std::vector<Event> FrameAll(const std::string& stream,
                            const std::vector<size_t>& cuts,
                            FramerLimits limits = {}) {
  Framer framer(limits);
  std::string buffer;
  size_t dropped = 0, fed = 0;
  std::vector<Event> events;
  auto feed_to = [&](size_t n) {
    buffer.append(stream, fed, n - fed);
    fed = n;
    for (;;) {
      Framer::Frame f = framer.Next(buffer);
      if (f.kind == Framer::Kind::kNeedMore) break;
      events.push_back({f.kind, f.begin + dropped, f.end + dropped});
      if (f.kind == Framer::Kind::kTooLarge) break;
    }
    size_t n2 = framer.Consumed();
    buffer.erase(0, n2);
    framer.Rebase(n2);
    dropped += n2;
  };
  for (size_t c : cuts) feed_to(c);
  feed_to(stream.size());
  return events;
}

// What the framer does with one text `t` followed by a newline must agree
// with the strict reference validator: a valid text is one kText; a text
// with a syntax error is never a kText and is cut at or before the byte the
// validator names; only errors the framer leaves to the parser (UTF-8,
// surrogates, number range) may pass it as a kText.
void ExpectFramerAgrees(const std::string& body, int* valid, int* invalid) {
  const std::string t = body + "\n";
  JsonSyntaxError error;
  const bool ok = ReferenceParse(body, &error);
  std::vector<Event> events = FrameAll(t, {});
  const size_t lead = body.find_first_not_of(" \t\r\n");
  ASSERT_NE(lead, std::string::npos);
  if (ok) {
    ++*valid;
    const size_t last = body.find_last_not_of(" \t\r\n");
    ASSERT_EQ(events,
              (std::vector<Event>{{Framer::Kind::kText, lead, last + 1}}))
        << Show(body);
    return;
  }
  ++*invalid;
  if (body[lead] != '{' && body[lead] != '[') {
    ASSERT_FALSE(events.empty()) << Show(body);
    EXPECT_EQ(events[0].kind, Framer::Kind::kGarbage) << Show(body);
    return;
  }
  const bool parser_only =
      error.code == rapidjson::kParseErrorStringInvalidEncoding ||
      error.code == rapidjson::kParseErrorStringUnicodeSurrogateInvalid ||
      error.code == rapidjson::kParseErrorNumberTooBig ||
      error.code == rapidjson::kParseErrorDocumentRootNotSingular;
  if (events.empty()) {
    // Still waiting: only a text cut short (the validator's error is at its
    // end) may do that.
    const size_t last = body.find_last_not_of(" \t\r\n");
    if (!parser_only) {
      EXPECT_GT(error.offset, last)
          << "framer waits after an invalid text: " << Show(body);
    }
    return;
  }
  const Event& e = events[0];
  if (e.kind == Framer::Kind::kText) {
    EXPECT_TRUE(parser_only) << Show(body) << " reference error at "
                             << error.offset << " code " << error.code;
    return;
  }
  ASSERT_EQ(e.kind, Framer::Kind::kInvalid) << Show(body);
  EXPECT_EQ(e.begin, lead);
  if (parser_only) return;  // the framer may find a syntax error later on
  // A text cut short inside a string (or a number, a literal) is found at
  // the newline that follows it.
  if (e.end - 1 == body.size()) return;
  // RapidJSON names a bad hex digit in the second escape of a surrogate
  // pair at the pair's first escape: up to 12 bytes before it.
  const size_t slack =
      error.code == rapidjson::kParseErrorStringUnicodeEscapeInvalidHex ? 12
                                                                        : 5;
  EXPECT_LE(e.end - 1, error.offset + slack)
      << Show(body) << "\nreference code " << error.code << " at "
      << Show(body.substr(error.offset, 12)) << "; framer at "
      << Show(body.substr(e.end - 1, 12));
}

TEST(FramerDiff, FramerAgreesWithTheReferenceValidator) {
  Gen gen(13);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string t = i % 2 ? gen.Batch() : std::string();
    if (t.empty()) {
      t.push_back(gen(2) ? '[' : '{');
      if (t[0] == '{') {
        t += "\"k\":";
      }
      gen.Value(&t, 4);
      t.push_back(t[0] == '[' ? ']' : '}');
    }
    if (i % 3 != 0) gen.Mutate(&t);
    // A raw newline cuts the text for the framer: keep one line.
    std::replace(t.begin(), t.end(), '\n', ' ');
    if (t.find_first_not_of(" \t\r") == std::string::npos) continue;
    ExpectFramerAgrees(t, &valid, &invalid);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(valid, 700);
  EXPECT_GT(invalid, 1000);
}

TEST(FramerDiff, FramerCutsTheSameAtEverySplitPoint) {
  Gen gen(17);
  for (int i = 0; i < 8; ++i) {
    std::string s;
    for (int k = 0; k < 4; ++k) {
      std::string t = gen.Batch();
      if (gen(2)) gen.Mutate(&t);
      s += t;
      if (gen(2)) s.push_back('\n');
    }
    s.resize(std::min<size_t>(s.size(), 2500));  // n cuts cost n^2
    const std::vector<Event> whole = FrameAll(s, {});
    for (size_t cut = 0; cut <= s.size(); ++cut) {
      ASSERT_EQ(FrameAll(s, {cut}), whole) << Show(s) << " cut " << cut;
    }
  }
}

// ---- The request parser against the reference ------------------------------

// ParseRequestText's verdict (a -32700 or not) and error offset are the
// reference's. Deliberate differences: the parser also refuses lone
// surrogate escapes and numbers out of double range, which RapidJSON 1.1
// lets through.
TEST(FramerDiff, ParserAgreesWithTheReference) {
  MethodTable table;
  Gen gen(29);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string t = i % 2 ? gen.Batch() : std::string();
    if (t.empty()) {
      t.push_back(gen(2) ? '[' : '{');
      if (t[0] == '{') t += "\"k\":";
      gen.Value(&t, 4);
      t.push_back(t[0] == '[' ? ']' : '}');
    }
    if (i % 3 != 0) gen.Mutate(&t);
    JsonSyntaxError want;
    const bool ok = ReferenceParse(t, &want);
    ParsedTextPtr parsed = ParseRequestText(t, table);
    const Status& got = parsed->text_error;
    const bool refused = got.code() == kParseError;
    // A refusal RapidJSON does not make: at or before its first error.
    const bool extra =
        refused && (got.message().find("surrogate") != std::string::npos ||
                    got.message().find("Number too big") != std::string::npos);
    if (ok) {
      ++valid;
      EXPECT_TRUE(!refused || extra) << Show(t) << ": " << got.message();
      continue;
    }
    ++invalid;
    ASSERT_TRUE(refused) << Show(t) << ": " << got.message();
    const size_t at = got.message().rfind(" at byte ");
    ASSERT_NE(at, std::string::npos) << got.message();
    const size_t offset = std::stoul(got.message().substr(at + 9));
    if (extra) {
      EXPECT_LE(offset, want.offset) << Show(t) << ": " << got.message();
    } else {
      EXPECT_EQ(offset, want.offset) << Show(t) << ": " << got.message()
                                     << "; reference code " << want.code;
    }
  }
  EXPECT_GT(valid, 700);
  EXPECT_GT(invalid, 1000);
}

// Nesting: kMaxDepth levels parse; one more is refused at the bracket that
// passes the limit, without recursing deeper (a million levels).
TEST(FramerDiff, ParserStopsAtTheDepthLimit) {
  MethodTable table;
  for (int depth : {kMaxDepth, kMaxDepth + 1, 1000000}) {
    const std::string t = std::string(static_cast<size_t>(depth), '[') +
                          std::string(static_cast<size_t>(depth), ']');
    ParsedTextPtr parsed = ParseRequestText(t, table);
    if (depth <= kMaxDepth) {
      EXPECT_TRUE(parsed->text_error.ok()) << parsed->text_error.message();
      continue;
    }
    EXPECT_EQ(parsed->text_error.code(), kInvalidRequest);
    EXPECT_EQ(parsed->text_error.message(),
              "request nested deeper than 128 levels");
  }
}

}  // namespace
}  // namespace goxel::rpc
