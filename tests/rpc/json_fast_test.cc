// The block scanners against byte-at-a-time references: ValidateJson (fast
// validator + JsonIndex) against ValidateJsonReference, the framer's 64-byte
// block path against the byte loop it replaced, ClassifyBlock against its
// scalar form. Texts are long enough to span many blocks and are shifted by
// 0..70 bytes so that every construct (escapes, backslash runs, multibyte
// UTF-8, brackets in strings) lands on and across block edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rpc/framer.h"
#include "rpc/json_blocks.h"
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
std::string Show(const std::string& t) {
  return t.size() <= 300 ? t : t.substr(0, 300) + "...";
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

TEST(JsonFast, ClassifyBlockMatchesScalar) {
  std::mt19937 rng(3);
  static const char kBytes[] = "\"\\{}[]az:,\x80\xff\x7b\x5b\x7d\x5d\xfb\xfd";
  for (int i = 0; i < 20000; ++i) {
    char block[64];
    for (char& c : block) {
      c = rng() % 2 ? kBytes[rng() % (sizeof(kBytes) - 1)]
                    : static_cast<char>(rng());
    }
    const BlockMasks want = ClassifyBlockScalar(block);
    std::vector<BlockMasks> got = {ClassifyBlock(block)};
#ifdef __SSE2__
    got.push_back(ClassifyBlockSse2(block));
#endif
#if defined(GOXEL_BLOCKS_AVX2)
    if (kBlocksAvx2) got.push_back(ClassifyBlockAvx2(block));
    if (!kBlocksAvx2 && i == 0) {
      std::cout << "[   INFO   ] this CPU has no AVX2: the AVX2 classifier "
                   "is not compared\n";
    }
#endif
    for (const BlockMasks& a : got) {
      ASSERT_EQ(a.quote, want.quote);
      ASSERT_EQ(a.backslash, want.backslash);
      ASSERT_EQ(a.open, want.open);
      ASSERT_EQ(a.close, want.close);
    }
  }
  EXPECT_EQ(PrefixXor(0b1001000100), 0b111100 | ~uint64_t{0} << 9);
}

// ---- The framer against the byte loop it replaced --------------------------

// The framer before the 64-byte block path, kept verbatim as the reference.
class ByteFramer {
 public:
  explicit ByteFramer(FramerLimits limits) : limits_(limits) {}

  Framer::Frame Next(std::string_view buf) {
    using Kind = Framer::Kind;
    const char* data = buf.data();
    const size_t size = buf.size();
    while (pos_ < size) {
      switch (state_) {
        case kBetween: {
          char c = data[pos_];
          if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            ++pos_;
            consumed_ = pos_;
            continue;
          }
          if (c == '{' || c == '[') {
            state_ = kInText;
            start_ = pos_;
            depth_ = 1;
            too_deep_ = false;
            ++pos_;
            continue;
          }
          Framer::Frame f{Kind::kGarbage, pos_, pos_ + 1};
          state_ = kSkipLine;
          ++pos_;
          return f;
        }
        case kSkipLine: {
          const void* nl = memchr(data + pos_, '\n', size - pos_);
          if (nl == nullptr) {
            pos_ = size;
            consumed_ = pos_;
            return Framer::Frame{};
          }
          pos_ = static_cast<const char*>(nl) - data + 1;
          consumed_ = pos_;
          state_ = kBetween;
          continue;
        }
        case kInString: {
          size_t i = pos_;
          while (i < size && data[i] != '"' && data[i] != '\\') ++i;
          if (i == size) {
            pos_ = size;
            break;
          }
          state_ = data[i] == '"' ? kInText : kEscape;
          pos_ = i + 1;
          continue;
        }
        case kEscape:
          state_ = kInString;
          ++pos_;
          continue;
        case kInText: {
          size_t i = pos_;
          for (; i < size; ++i) {
            char c = data[i];
            if (c == '"') {
              state_ = kInString;
              break;
            }
            if (c == '{' || c == '[') {
              if (++depth_ > limits_.max_depth) too_deep_ = true;
            } else if (c == '}' || c == ']') {
              if (--depth_ == 0) break;
            }
          }
          if (i == size) {
            pos_ = size;
            break;
          }
          pos_ = i + 1;
          if (state_ == kInString) continue;
          state_ = kBetween;
          consumed_ = pos_;
          Kind kind = Kind::kText;
          if (pos_ - start_ > limits_.max_text_bytes) {
            kind = Kind::kTooLarge;
          } else if (too_deep_) {
            kind = Kind::kTooDeep;
          }
          return Framer::Frame{kind, start_, pos_};
        }
      }
      break;
    }
    if ((state_ == kInText || state_ == kInString || state_ == kEscape) &&
        pos_ - start_ > limits_.max_text_bytes) {
      return Framer::Frame{Kind::kTooLarge, start_, pos_};
    }
    return Framer::Frame{};
  }
  size_t Consumed() const { return consumed_; }
  void Rebase(size_t n) {
    pos_ -= n;
    start_ -= n;
    consumed_ -= n;
  }

 private:
  enum State { kBetween, kInText, kInString, kEscape, kSkipLine };
  FramerLimits limits_;
  State state_ = kBetween;
  size_t pos_ = 0, start_ = 0, consumed_ = 0;
  int depth_ = 0;
  bool too_deep_ = false;
};

struct Event {
  Framer::Kind kind;
  size_t begin, end, consumed;  // offsets in the whole stream
  bool operator==(const Event&) const = default;
};

// Feeds `stream` in chunks cut at `cuts`, dropping consumed bytes as the
// server does; returns every frame and Consumed() after it.
template <typename F>
std::vector<Event> FrameAll(const std::string& stream,
                            const std::vector<size_t>& cuts,
                            FramerLimits limits) {
  F framer(limits);
  std::string buffer;
  size_t dropped = 0, fed = 0;
  std::vector<Event> events;
  auto feed_to = [&](size_t n) {
    buffer.append(stream, fed, n - fed);
    fed = n;
    for (;;) {
      Framer::Frame f = framer.Next(buffer);
      events.push_back({f.kind, f.begin + dropped, f.end + dropped,
                        framer.Consumed() + dropped});
      if (f.kind == Framer::Kind::kNeedMore ||
          f.kind == Framer::Kind::kTooLarge) {
        break;
      }
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

std::string Stream(Gen& gen) {
  std::string s;
  int n = 1 + static_cast<int>(gen(4));
  for (int i = 0; i < n; ++i) {
    switch (gen(6)) {
      case 0:
        s += "garbage \\\"{[ line\n";
        break;
      case 1:
        s +=
            std::string(gen(140), '[') + "\"]\\\"" + std::string(gen(140), ']');
        break;
      default: {
        std::string t = gen.Batch();
        if (gen(3) == 0) gen.Mutate(&t);
        s += t;
        break;
      }
    }
    if (gen(2)) s.push_back('\n');
  }
  return s;
}

TEST(JsonFast, FramerAgreesWithTheByteLoop) {
  Gen gen(13);
  for (int i = 0; i < 1500; ++i) {
    std::string s = Stream(gen);
    FramerLimits limits;
    if (gen(4) == 0) limits.max_depth = static_cast<int>(1 + gen(8));
    if (gen(4) == 0) limits.max_text_bytes = 64 + gen(2000);
    std::vector<size_t> cuts;
    for (uint32_t k = gen(5); k > 0; --k) cuts.push_back(gen(s.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    auto want = FrameAll<ByteFramer>(s, cuts, limits);
    auto got = FrameAll<Framer>(s, cuts, limits);
    ASSERT_EQ(got, want) << Show(s);
  }
}

TEST(JsonFast, FramerAgreesAtEverySplitPoint) {
  Gen gen(17);
  for (int i = 0; i < 6; ++i) {
    std::string s = Stream(gen);
    s.resize(std::min<size_t>(s.size(), 2500));  // n cuts cost n^2
    for (size_t cut = 0; cut <= s.size(); ++cut) {
      ASSERT_EQ(FrameAll<Framer>(s, {cut}, {}),
                FrameAll<ByteFramer>(s, {cut}, {}))
          << Show(s);
    }
  }
}

}  // namespace
}  // namespace goxel::rpc
