// The examples of the JSON-RPC 2.0 specification, section 7, run through
// ParseRequestText + ExecuteText with the specification's own methods.
#include "rpc/envelope.h"

#include <gtest/gtest.h>

#include <string>

#include "rpc/errors.h"
#include "voxel/status_codes.h"

namespace goxel::rpc {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ok = [](Status s) { ASSERT_TRUE(s.ok()) << s.ToString(); };
    ok(table_.Add({"subtract",
                   "",
                   {{"minuend", "integer", true, ""},
                    {"subtrahend", "integer", true, ""}},
                   "",
                   kPooled,
                   [](Call& c) {
                     auto a = c.params().Int("minuend");
                     if (!a.ok()) return a.status();
                     auto b = c.params().Int("subtrahend");
                     if (!b.ok()) return b.status();
                     c.result().SetInt64(*a - *b);
                     return Status::Ok();
                   }}));
    ok(table_.Add({"sum",
                   "",
                   {},
                   "",
                   kPooled,
                   [](Call& c) {
                     int64_t total = 0;
                     for (const auto& v : c.params().raw()->GetArray())
                       total += v.GetInt64();
                     c.result().SetInt64(total);
                     return Status::Ok();
                   },
                   true}));
    ok(table_.Add({"get_data", "", {}, "", kPooled, [](Call& c) {
                     c.result().SetArray();
                     c.result().PushBack("hello", c.alloc());
                     c.result().PushBack(5, c.alloc());
                     return Status::Ok();
                   }}));
    auto count = [this](Call&) {
      ++notified_;
      return Status::Ok();
    };
    ok(table_.Add({"update", "", {}, "", kPooled, count, true}));
    ok(table_.Add({"notify_hello", "", {}, "", kPooled, count, true}));
    ok(table_.Add({"notify_sum", "", {}, "", kPooled, count, true}));
    ok(table_.Add({"echo",
                   "",
                   {},
                   "",
                   kControl,
                   [](Call& c) {
                     if (c.params().raw())
                       c.result().CopyFrom(*c.params().raw(), c.alloc());
                     return Status::Ok();
                   },
                   true}));
    ok(table_.Add({"fail", "", {}, "", kPooled, [](Call&) {
                     return Status::Error(voxel::kLayerNotFound,
                                          "layer 7 not found")
                         .With("layer_id", int64_t{7});
                   }}));
  }

  // Runs one text; returns everything written.
  std::string Run(std::string_view text) {
    auto parsed = ParseRequestText(text, table_);
    std::string out;
    ExecuteText(*parsed, CallerInfo{}, ExecuteHooks{}, &out);
    return out;
  }

  // Parses a reply text, which must be one line.
  JsonDocument Reply(std::string_view text) {
    std::string out = Run(text);
    EXPECT_FALSE(out.empty());
    EXPECT_EQ(out.back(), '\n');
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
    JsonDocument d;
    d.Parse(out.data(), out.size());
    EXPECT_FALSE(d.HasParseError()) << out;
    return d;
  }

  MethodTable table_;
  int notified_ = 0;
};

TEST_F(EnvelopeTest, PositionalParams) {
  EXPECT_EQ(
      Run(R"({"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1})"),
      "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}\n");
  EXPECT_EQ(
      Run(R"({"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2})"),
      "{\"jsonrpc\":\"2.0\",\"result\":-19,\"id\":2}\n");
}

TEST_F(EnvelopeTest, NamedParams) {
  EXPECT_EQ(
      Run(R"({"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3})"),
      "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":3}\n");
  EXPECT_EQ(
      Run(R"({"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4})"),
      "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":4}\n");
}

TEST_F(EnvelopeTest, NotificationsAreRunButNeverAnswered) {
  EXPECT_EQ(
      Run(R"({"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]})"),
      "");
  EXPECT_EQ(notified_, 1);
  EXPECT_EQ(Run(R"({"jsonrpc": "2.0", "method": "foobar"})"), "");
  EXPECT_EQ(Run(R"({"jsonrpc": "2.0", "method": "subtract", "params": ["x"]})"),
            "");
}

TEST_F(EnvelopeTest, NonExistentMethod) {
  JsonDocument d =
      Reply(R"({"jsonrpc": "2.0", "method": "foobar", "id": "1"})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32601);
  EXPECT_STREQ(d["error"]["data"]["method"].GetString(), "foobar");
  EXPECT_STREQ(d["id"].GetString(), "1");
}

TEST_F(EnvelopeTest, InvalidJson) {
  JsonDocument d =
      Reply(R"({"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz])");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32700);
  EXPECT_TRUE(d["id"].IsNull());
  EXPECT_TRUE(d["error"]["data"].HasMember("offset"));
}

TEST_F(EnvelopeTest, InvalidRequestObject) {
  JsonDocument d = Reply(R"({"jsonrpc": "2.0", "method": 1, "params": "bar"})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
  EXPECT_TRUE(d["id"].IsNull());
  EXPECT_STREQ(d["error"]["data"]["member"].GetString(), "method");
}

TEST_F(EnvelopeTest, BatchWithInvalidJson) {
  JsonDocument d = Reply(R"([
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
])");
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["error"]["code"].GetInt(), -32700);
  EXPECT_TRUE(d["id"].IsNull());
}

TEST_F(EnvelopeTest, EmptyArray) {
  JsonDocument d = Reply("[]");
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
  EXPECT_TRUE(d["id"].IsNull());
}

TEST_F(EnvelopeTest, InvalidBatchButNotEmpty) {
  JsonDocument d = Reply("[1]");
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 1u);
  EXPECT_EQ(d[0]["error"]["code"].GetInt(), -32600);
  EXPECT_TRUE(d[0]["id"].IsNull());
}

TEST_F(EnvelopeTest, InvalidBatch) {
  JsonDocument d = Reply("[1,2,3]");
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 3u);
  for (const auto& r : d.GetArray()) {
    EXPECT_EQ(r["error"]["code"].GetInt(), -32600);
    EXPECT_TRUE(r["id"].IsNull());
  }
}

TEST_F(EnvelopeTest, MixedBatch) {
  JsonDocument d = Reply(R"([
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ])");
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 5u);
  EXPECT_EQ(d[0]["result"].GetInt(), 7);
  EXPECT_STREQ(d[0]["id"].GetString(), "1");
  EXPECT_EQ(d[1]["result"].GetInt(), 19);
  EXPECT_STREQ(d[1]["id"].GetString(), "2");
  EXPECT_EQ(d[2]["error"]["code"].GetInt(), -32600);
  EXPECT_TRUE(d[2]["id"].IsNull());
  EXPECT_EQ(d[3]["error"]["code"].GetInt(), -32601);
  EXPECT_STREQ(d[3]["id"].GetString(), "5");
  EXPECT_STREQ(d[4]["result"][0].GetString(), "hello");
  EXPECT_EQ(d[4]["result"][1].GetInt(), 5);
  EXPECT_EQ(notified_, 1);
}

TEST_F(EnvelopeTest, BatchOfNotificationsOnlyGetsNoReply) {
  EXPECT_EQ(Run(R"([
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ])"),
            "");
  EXPECT_EQ(notified_, 2);
}

TEST_F(EnvelopeTest, IdsComeBackExactlyAsSent) {
  const char* ids[] = {"1",
                       "-0",
                       "1e2",
                       "1.50",
                       "18446744073709551615",
                       "-9223372036854775808",
                       "123456789012345678901234567890",
                       "\"a\\\"b\\u00e9\\n\"",
                       "null",
                       "0.1"};
  for (const char* id : ids) {
    std::string req =
        std::string(R"({"jsonrpc":"2.0","method":"echo","id":)") + id + "}";
    std::string out = Run(req);
    std::string want = std::string("\"id\":") + id + "}\n";
    ASSERT_GE(out.size(), want.size()) << id;
    EXPECT_EQ(out.substr(out.size() - want.size()), want) << out;
  }
}

TEST_F(EnvelopeTest, IdsInABatchComeBackExactly) {
  std::string out = Run(
      R"([{"jsonrpc":"2.0","method":"echo","id":1E+2},{"id" : 2.0 ,"jsonrpc":"2.0","method":"echo"}])");
  EXPECT_NE(out.find("\"id\":1E+2}"), std::string::npos) << out;
  EXPECT_NE(out.find("\"id\":2.0}"), std::string::npos) << out;
}

TEST_F(EnvelopeTest, RejectsIdsThatAreNotScalars) {
  JsonDocument d = Reply(R"({"jsonrpc":"2.0","method":"echo","id":[1]})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
  EXPECT_TRUE(d["id"].IsNull());
}

TEST_F(EnvelopeTest, RequiresJsonrpcTwoPointZero) {
  JsonDocument d = Reply(R"({"jsonrpc":"1.0","method":"echo","id":3})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
  EXPECT_EQ(d["id"].GetInt(), 3);
  d = Reply(R"({"method":"echo","id":4})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
}

TEST_F(EnvelopeTest, RejectsScalarParams) {
  JsonDocument d =
      Reply(R"({"jsonrpc":"2.0","method":"echo","params":3,"id":1})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
  EXPECT_STREQ(d["error"]["data"]["member"].GetString(), "params");
}

TEST_F(EnvelopeTest, StrictParsing) {
  const char* bad[] = {
      R"({"jsonrpc":"2.0","method":"echo","id":1,})",
      R"({"jsonrpc":"2.0","method":"echo","params":[1,],"id":1})",
      R"({"jsonrpc":"2.0",/*c*/"method":"echo","id":1})",
      R"({"jsonrpc":"2.0","method":"echo","params":[NaN],"id":1})",
      "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"\xff\"],\"id\":"
      "1}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"\xc3\"],\"id\":"
      "1}",
  };
  for (const char* text : bad) {
    JsonDocument d = Reply(text);
    EXPECT_EQ(d["error"]["code"].GetInt(), -32700) << text;
  }
}

TEST_F(EnvelopeTest, TooManyPositionalParamsIsInvalidParams) {
  JsonDocument d =
      Reply(R"({"jsonrpc":"2.0","method":"subtract","params":[1,2,3],"id":1})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32602);
  EXPECT_EQ(d["error"]["data"]["expected_max"].GetInt(), 2);
}

TEST_F(EnvelopeTest, MissingAndMistypedParamsNameTheParameter) {
  JsonDocument d = Reply(
      R"({"jsonrpc":"2.0","method":"subtract","params":{"minuend":1},"id":1})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32602);
  EXPECT_STREQ(d["error"]["data"]["param"].GetString(), "subtrahend");
  EXPECT_STREQ(d["error"]["data"]["method"].GetString(), "subtract");
  d = Reply(
      R"({"jsonrpc":"2.0","method":"subtract","params":{"minuend":"1","subtrahend":2},"id":1})");
  EXPECT_STREQ(d["error"]["data"]["param"].GetString(), "minuend");
  EXPECT_STREQ(d["error"]["data"]["expected"].GetString(), "an integer");
}

TEST_F(EnvelopeTest, StatusCodesMapToApplicationErrorCodesWithData) {
  JsonDocument d = Reply(R"({"jsonrpc":"2.0","method":"fail","id":1})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32002);
  EXPECT_STREQ(d["error"]["message"].GetString(), "layer 7 not found");
  EXPECT_EQ(d["error"]["data"]["layer_id"].GetInt(), 7);
}

TEST_F(EnvelopeTest, AdmissionHookRefusesBeforeTheHandlerRuns) {
  auto parsed = ParseRequestText(
      R"({"jsonrpc":"2.0","method":"update","params":[],"id":1})", table_);
  ExecuteHooks hooks;
  hooks.admit = [](const MethodSpec& m) {
    return Status::ResourceExhausted("memory limit").With("method", m.name);
  };
  std::string out;
  ExecuteText(*parsed, {}, hooks, &out);
  EXPECT_NE(out.find("-32006"), std::string::npos) << out;
  EXPECT_EQ(notified_, 0);
}

// A text that does not parse is one request, answered once with id null,
// even when the ids of many requests were read before the error: rate limits
// and counters charge it once.
TEST_F(EnvelopeTest, AnUnparsableBatchCountsAsOneRequest) {
  std::string text = "[";
  for (int i = 1; i <= 100; ++i) {
    text +=
        R"({"jsonrpc":"2.0","method":"echo","id":)" + std::to_string(i) + "},";
  }
  text += "}";
  auto parsed = ParseRequestText(text, table_);
  ASSERT_FALSE(parsed->text_error.ok());
  EXPECT_EQ(parsed->RequestCount(), 1u);
  auto deep =
      ParseRequestText(R"([{"jsonrpc":"2.0","method":"echo","id":1},)" +
                           std::string(200, '[') + std::string(200, ']') + "]",
                       table_);
  ASSERT_FALSE(deep->text_error.ok());
  EXPECT_EQ(deep->RequestCount(), 1u);
}

TEST_F(EnvelopeTest, RejectionAnswersEveryRequestButNotNotifications) {
  auto parsed = ParseRequestText(
      R"([{"jsonrpc":"2.0","method":"sum","params":[1],"id":1},{"jsonrpc":"2.0","method":"update"}])",
      table_);
  std::string out;
  AppendRejection(*parsed, Status::ServerError("busy"), &out);
  JsonDocument d;
  d.Parse(out.c_str());
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 1u);
  EXPECT_EQ(d[0]["error"]["code"].GetInt(), -32000);
}

}  // namespace
// Envelope keys, "jsonrpc" and "method" are read where they are unless they
// hold escapes; escaped spellings must still count, and a batch that
// switches methods (or names unknown ones) must find each one.
TEST_F(EnvelopeTest, EscapedEnvelopeStringsAndMixedBatches) {
  JsonDocument d =
      Reply(R"({"j\u0073onrpc":"2\u002e0","\u006dethod":"subtr\u0061ct",)"
            R"("p\u0061rams":[5,3],"\u0069d":1})");
  EXPECT_EQ(d["result"].GetInt(), 2);
  std::string batch = "[";
  const char* const kMethods[] = {"subtract", "echo",     "subtract",
                                  "nope",     "subtract", "subtr\\u0061ct"};
  for (int i = 0; i < 6; ++i) {
    if (i) batch += ",";
    batch += std::string(R"({"jsonrpc":"2.0","method":")") + kMethods[i] +
             R"(","params":[9,)" + std::to_string(i) + R"(],"id":)" +
             std::to_string(i) + "}";
  }
  batch += "]";
  d = Reply(batch);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 6u);
  EXPECT_EQ(d[0]["result"].GetInt(), 9);
  EXPECT_TRUE(d[1]["result"].IsArray());
  EXPECT_EQ(d[2]["result"].GetInt(), 7);
  EXPECT_EQ(d[3]["error"]["code"].GetInt(), -32601);
  EXPECT_EQ(d[4]["result"].GetInt(), 5);
  EXPECT_EQ(d[5]["result"].GetInt(), 4);
}

// The envelope walk recognises "jsonrpc", "method", "params" and "id" by
// their bytes (key and closing quote at once) when the text has room after
// the key, and reads them the slow way otherwise: look-alike keys must not
// count, and a key near the end of the text must.
TEST_F(EnvelopeTest, EnvelopeKeysAreNotConfusedWithLookAlikes) {
  JsonDocument d =
      Reply(R"({"idx":5,"jsonrpc2":"1.0","methods":"nope","paramsX":1,)"
            R"("jsonrpc":"2.0","method":"subtract","params":[9,4],"id":6})");
  EXPECT_EQ(d["result"].GetInt(), 5);
  EXPECT_EQ(d["id"].GetInt(), 6);
  // "id" ends the text: fewer than 9 bytes from its quote to the end.
  d = Reply(R"({"method":"subtract","params":[3,1],"jsonrpc":"2.0","id":7})");
  EXPECT_EQ(d["result"].GetInt(), 2);
  EXPECT_EQ(d["id"].GetInt(), 7);
  d = Reply(R"({"id":8,"params":[3,1],"jsonrpc":"2.0","method":"echo"})");
  EXPECT_EQ(d["id"].GetInt(), 8);
  EXPECT_TRUE(d["result"].IsArray());
}

// Small non-negative integer ids take a short path; ids around its bounds
// must come back with the value and spelling they were sent with.
TEST_F(EnvelopeTest, IntegerIdsAroundTheShortPathBounds) {
  const char* ids[] = {"0",  "7",  "4294967295", "4294967296",
                       "-1", "-0", "000",        "99999999999999999999"};
  for (const char* id : ids) {
    std::string req =
        std::string(R"({"jsonrpc":"2.0","method":"echo","id":)") + id + "}";
    std::string out = Run(req);
    if (std::string(id) == "000") {  // not JSON: a parse error, id null
      EXPECT_NE(out.find("-32700"), std::string::npos) << out;
      continue;
    }
    std::string want = std::string("\"id\":") + id + "}\n";
    ASSERT_GE(out.size(), want.size()) << id;
    EXPECT_EQ(out.substr(out.size() - want.size()), want) << out;
  }
  JsonDocument d =
      Reply(R"({"jsonrpc":"2.0","method":"echo","id":4294967295})");
  ASSERT_TRUE(d["id"].IsUint());
  EXPECT_EQ(d["id"].GetUint(), 4294967295u);
  d = Reply(R"({"jsonrpc":"2.0","method":"echo","id":4294967296})");
  ASSERT_TRUE(d["id"].IsUint64());
  EXPECT_EQ(d["id"].GetUint64(), 4294967296ull);
}

// Replies are written as fixed text around the values: the exact bytes of
// a batch mixing results, errors and notifications.
TEST_F(EnvelopeTest, BatchReplyBytes) {
  EXPECT_EQ(
      Run(R"([{"jsonrpc":"2.0","method":"echo","params":[1],"id":1},)"
          R"({"jsonrpc":"2.0","method":"echo","params":[2]},)"
          R"({"jsonrpc":"2.0","method":"nope","id":"x\"y"},)"
          R"({"jsonrpc":"2.0","method":"echo","params":{"a":"\u00e9"},"id":-0}])"),
      R"([{"jsonrpc":"2.0","result":[1],"id":1},)"
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"method not found: )"
      R"(nope","data":{"method":"nope"}},"id":"x\"y"},)"
      R"({"jsonrpc":"2.0","result":{"a":"é"},"id":-0}])"
      "\n");
  EXPECT_EQ(Run(R"({"jsonrpc":"2.0","method":"echo","params":[],"id":null})"),
            "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":null}\n");
  EXPECT_EQ(Run("{]"),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,"
            "\"message\":\"parse error: Missing a name for object member. at "
            "byte 1\",\"data\":{\"offset\":1,\"reason\":\"Missing a name "
            "for object member.\"}},\"id\":null}\n");
}

// A ParsedText's storage is reused: a new one starts empty whatever the
// last one held.
TEST_F(EnvelopeTest, ReusedParsedTextsStartEmpty) {
  for (int round = 0; round < 6; ++round) {
    {
      auto batch = ParseRequestText(
          R"([{"jsonrpc":"2.0","method":"echo","params":[1,2],"id":"a\"b"},)"
          R"({"jsonrpc":"2.0","method":"nope","id":1e2}])",
          table_);
      ASSERT_TRUE(batch->batch);
      auto bad = ParseRequestText("{]", table_);
      ASSERT_FALSE(bad->text_error.ok());
    }
    ParsedTextPtr fresh = NewParsedText();
    EXPECT_TRUE(fresh->buffer.empty());
    EXPECT_TRUE(fresh->items.empty());
    EXPECT_FALSE(fresh->batch);
    EXPECT_TRUE(fresh->text_error.ok());
    fresh.reset();
    EXPECT_EQ(Run(R"({"jsonrpc":"2.0","method":"echo","params":[3],"id":5})"),
              "{\"jsonrpc\":\"2.0\",\"result\":[3],\"id\":5}\n");
  }
}

// Params nest up to kMaxDepth with the request around them; one level more
// is refused as a whole text (-32600, id null), as the framer refuses it,
// even a million levels deep, without recursing that deep.
TEST_F(EnvelopeTest, ParamsNestUpToTheDepthLimit) {
  auto nested = [](size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  JsonDocument d = Reply(R"({"jsonrpc":"2.0","method":"subtract","params":)" +
                         nested(kMaxDepth - 1) + R"(,"id":1})");
  EXPECT_EQ(d["error"]["code"].GetInt(), -32602);
  EXPECT_EQ(d["id"].GetInt(), 1);
  for (size_t levels : {size_t{kMaxDepth}, size_t{1000000}}) {
    d = Reply(R"([{"jsonrpc":"2.0","method":"update","params":)" +
              nested(levels) +
              R"(},{"jsonrpc":"2.0","method":"get_data","id":2}])");
    ASSERT_TRUE(d.IsObject());
    EXPECT_EQ(d["error"]["code"].GetInt(), -32600);
    EXPECT_EQ(d["error"]["data"]["max_depth"].GetInt(), kMaxDepth);
    EXPECT_TRUE(d["id"].IsNull());
  }
}

}  // namespace goxel::rpc

namespace goxel::rpc {
namespace {

// The open-addressing lookup through growth, removal and near misses.
TEST(MethodTableTest, FindsEveryMethodThroughAddsAndRemoves) {
  MethodTable table;
  auto handler = [](Call&) { return Status::Ok(); };
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(
        table.Add({"m." + std::to_string(i), "", {}, "", kPooled, handler})
            .ok());
  }
  EXPECT_FALSE(table.Add({"m.7", "", {}, "", kPooled, handler}).ok());
  ASSERT_TRUE(table.AddAlias("alias.7", "m.7").ok());
  for (int i = 0; i < 300; ++i) {
    const std::string name = "m." + std::to_string(i);
    const MethodSpec* spec = table.Find(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->name, name);
  }
  EXPECT_EQ(table.Find("alias.7")->name, "alias.7");
  for (const char* miss : {"", "m.", "m.300", "m.07", "M.7", "m.7 ", "x"}) {
    EXPECT_EQ(table.Find(miss), nullptr) << miss;
  }
  for (int i = 0; i < 300; i += 2) table.Remove("m." + std::to_string(i));
  table.Remove("m.never");
  EXPECT_EQ(table.size(), 151u);
  for (int i = 0; i < 300; ++i) {
    const MethodSpec* spec = table.Find("m." + std::to_string(i));
    if (i % 2 == 0) {
      EXPECT_EQ(spec, nullptr) << i;
    } else {
      ASSERT_NE(spec, nullptr) << i;
      EXPECT_EQ(spec->name, "m." + std::to_string(i));
    }
  }
  EXPECT_EQ(MethodTable().Find("m.1"), nullptr);  // empty table
}

}  // namespace
}  // namespace goxel::rpc
