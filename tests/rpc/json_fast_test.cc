// The fast paths against byte-at-a-time references: ValidateJson (fast
// validator + JsonIndex) against ValidateJsonReference, and the framer's
// verdict on each text against the same reference validator. Texts are long
// enough to span many blocks and are shifted by 0..70 bytes so that every
// construct (escapes, backslash runs, multibyte UTF-8, brackets in strings)
// lands on and across block edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rpc/framer.h"
#include "rpc/json_scan.h"

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

// An exact-size heap copy: a read past the end is a sanitizer error.
std::unique_ptr<char[]> Exact(const std::string& t) {
  std::unique_ptr<char[]> p(new char[std::max<size_t>(t.size(), 1)]);
  memcpy(p.get(), t.data(), t.size());
  return p;
}

// ---- ValidateJson against the reference validator
// ----------------------------

// Every entry names a container ValidateJson saw, in text order, with the
// right end and the right next entry; root_items counts the batch.
void CheckIndex(const std::string& t, const JsonIndex& index) {
  const char* base = t.data();
  const char* end = base + t.size();
  // The matching bracket of each container, in one pass (deep texts too).
  std::vector<size_t> close(t.size(), 0), open;
  std::vector<size_t> wanted;  // containers of kMinBytes or more, in order
  for (const char* p = base; p < end; ++p) {
    if (*p == '"') {
      p = SkipJsonValue(p, end) - 1;
    } else if (*p == '{' || *p == '[') {
      open.push_back(static_cast<size_t>(p - base));
    } else if (*p == '}' || *p == ']') {
      size_t o = open.back();
      open.pop_back();
      close[o] = static_cast<size_t>(p - base);
      if (close[o] - o + 1 >= JsonIndex::kMinBytes) wanted.push_back(o);
    }
  }
  std::sort(wanted.begin(), wanted.end());
  const auto& v = index.entries;
  // Below the cap every container of kMinBytes is there; at the cap, some.
  if (wanted.size() + 1000 < t.size() / 8) {
    ASSERT_EQ(v.size(), wanted.size()) << Show(t);
  }
  size_t w = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    while (w < wanted.size() && wanted[w] < v[i].open) ++w;
    ASSERT_TRUE(w < wanted.size() && wanted[w] == v[i].open) << Show(t);
    ASSERT_EQ(v[i].close, close[v[i].open]) << Show(t);
    ASSERT_GT(v[i].next, i);
    ASSERT_LE(v[i].next, v.size());
    if (v[i].next < v.size()) {
      ASSERT_GT(v[v[i].next].open, v[i].close);
    }
    if (v[i].next > i + 1) {
      ASSERT_LT(v[v[i].next - 1].open, v[i].close);
    }
  }
  // Count the root array's elements by walking it.
  const char* p = SkipJsonWs(base, end);
  size_t items = 0;
  if (*p == '[') {
    p = SkipJsonWs(p + 1, end);
    while (*p != ']') {
      ++items;
      p = SkipJsonWs(SkipJsonValue(p, end), end);
      if (*p == ',') p = SkipJsonWs(p + 1, end);
    }
  }
  EXPECT_EQ(index.root_items, items) << Show(t);
}

void ExpectSameVerdict(const std::string& t, int* valid, int* invalid) {
  auto exact = Exact(t);
  std::string_view view(exact.get(), t.size());
  JsonSyntaxError want, got;
  want.offset = got.offset = 12345;
  const bool ref = ValidateJsonReference(view, &want);
  JsonIndex index;
  const bool fast = ValidateJson(view, &got, &index);
  ASSERT_EQ(fast, ref) << Show(t);
  if (!ref) {
    ++*invalid;
    EXPECT_EQ(got.code, want.code) << Show(t);
    EXPECT_EQ(got.offset, want.offset) << Show(t);
    EXPECT_TRUE(index.entries.empty());
    return;
  }
  ++*valid;
  if (t.size() >= JsonIndex::kMinTextBytes) {
    CheckIndex(t, index);
  } else {
    EXPECT_TRUE(index.entries.empty());
  }
  JsonSyntaxError unused;
  EXPECT_TRUE(ValidateJson(view, &unused));  // without an index too
}

TEST(JsonFast, ValidatorAgreesWithTheReference) {
  Gen gen(7);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string t = gen.Batch();
    if (i % 3 != 0) gen.Mutate(&t);
    ExpectSameVerdict(t, &valid, &invalid);
    if (HasFatalFailure()) return;
  }
  for (int i = 0; i < 3000; ++i) {  // small values, no index
    std::string t;
    gen.Pad(&t);
    gen.Value(&t, 4);
    if (i % 2 != 0) gen.Mutate(&t);
    ExpectSameVerdict(t, &valid, &invalid);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(valid, 1500);
  EXPECT_GT(invalid, 1500);
}

TEST(JsonFast, ValidatorAgreesOnEveryTruncation) {
  Gen gen(11);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 10; ++i) {
    std::string t = gen.Batch();
    for (size_t n = 0; n <= t.size(); ++n) {
      ExpectSameVerdict(t.substr(0, n), &valid, &invalid);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(valid, 9);
}

// In the last bytes of a text the short-integer and plain-string fast
// paths go byte by byte: every short number and string there, valid or not.
TEST(JsonFast, ValidatorAgreesOnTheLastBytes) {
  // clang-format off
  const std::vector<std::string> values = {
      "0", "00", "01", "-", "-0", "-01", "1.", "1.5", "1e", "1e5", "1E+2",
      "12", "123456", "1234567", "12345678", "-12", "9x", "7 ",
      "\"\"", "\"a\"", "\"ab", "\"a\\\"\"", "\"\\u0041\"", "\"\x01\"",
      "\"\xc3\xa9\"", "\"\xc3\"", "\"abcdefghijklmn\"", "\"\\\""};
  // clang-format on
  int valid = 0, invalid = 0;
  for (const char* prefix : {"[", "{\"k\":", "[1,", "{\"id\":", " [ "}) {
    for (const std::string& v : values) {
      for (const char* suffix : {"]", "}", "", " ]", "]\n", "}}"}) {
        ExpectSameVerdict(prefix + v + suffix, &valid, &invalid);
        if (HasFatalFailure()) return;
      }
    }
  }
  EXPECT_GT(valid, 30);
  EXPECT_GT(invalid, 300);
}

TEST(JsonFast, DeepNestingNeedsNoRecursion) {
  constexpr size_t kDepth = 1000000;
  std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  int valid = 0, invalid = 0;
  ExpectSameVerdict(deep, &valid, &invalid);
  ExpectSameVerdict(deep.substr(0, deep.size() - 1), &valid, &invalid);
  std::string objects;
  for (size_t i = 0; i < 200; ++i) objects += R"({"a":)";
  objects += "1" + std::string(200, '}');
  ExpectSameVerdict(objects, &valid, &invalid);
  EXPECT_EQ(valid, 2);
  EXPECT_EQ(invalid, 1);
}

TEST(JsonFast, IndexOfTinyContainersIsCapped) {
  std::string t = "[";
  for (int i = 0; i < 100000; ++i)
    t += i ? ",[[[[[[[]]]]]]]" : "[[[[[[[]]]]]]]";
  t += "]";
  JsonSyntaxError error;
  JsonIndex index;
  ASSERT_TRUE(ValidateJson(t, &error, &index));
  EXPECT_LE(index.entries.size(), t.size() / 8 + 16);
  EXPECT_EQ(index.root_items, 100000u);
  // A capped index still gives right answers: what it lacks is scanned.
  JsonSkipper skip(&index, t.data());
  const char* end = t.data() + t.size();
  for (const char* p = t.data() + 1; *p == '[';) {
    const char* q = skip.Skip(p, end);
    ASSERT_EQ(q, SkipJsonValue(p, end));
    p = *q == ',' ? q + 1 : q;
  }
}

TEST(JsonFast, SkipperMatchesSkipJsonValueInAnyOrder) {
  Gen gen(5);
  for (int i = 0; i < 200; ++i) {
    std::string t = gen.Batch();
    JsonSyntaxError error;
    JsonIndex index;
    if (!ValidateJson(t, &error, &index)) continue;
    const char* end = t.data() + t.size();
    std::vector<const char*> values;  // every value that starts a container
    for (const char* p = t.data(); p < end; ++p) {
      if (*p == '"') {
        values.push_back(p);
        p = SkipJsonValue(p, end) - 1;
      } else if (*p == '{' || *p == '[') {
        values.push_back(p);
      }
    }
    JsonSkipper forward(&index, t.data());
    for (const char* p : values) {
      ASSERT_EQ(forward.Skip(p, end), SkipJsonValue(p, end)) << t;
    }
    std::shuffle(values.begin(), values.end(), std::mt19937(i));
    JsonSkipper shuffled(&index, t.data());
    for (const char* p : values) {
      ASSERT_EQ(shuffled.Skip(p, end), SkipJsonValue(p, end)) << t;
    }
  }
}

// ---- Blocks
// -------------------------------------------------------------------

// ---- The framer against the reference validator ----------------------------

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
  const bool ok = ValidateJsonReference(body, &error);
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
  EXPECT_LE(e.end - 1, error.offset + 5)
      << Show(body) << "\nreference code " << error.code << " at "
      << Show(body.substr(error.offset, 12)) << "; framer at "
      << Show(body.substr(e.end - 1, 12));
}

TEST(JsonFast, FramerAgreesWithTheReferenceValidator) {
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

TEST(JsonFast, FramerCutsTheSameAtEverySplitPoint) {
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

}  // namespace
}  // namespace goxel::rpc
