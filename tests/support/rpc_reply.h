// Reply and CallOn: one JSON-RPC call through an RpcClient, and the parsed
// reply with small readers for results and errors. Shared by the method
// and file-method tests.
// Thread contract: values; one RpcClient per thread.
#ifndef GOXEL_TESTS_SUPPORT_RPC_REPLY_H_
#define GOXEL_TESTS_SUPPORT_RPC_REPLY_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>

#include "support/daemon_harness.h"

namespace goxel::testing {

// A parsed reply.
struct Reply {
  std::string text;
  rapidjson::Document doc;

  bool ok() const { return doc.IsObject() && doc.HasMember("result"); }
  const rapidjson::Value& result() const { return doc["result"]; }
  int code() const {
    return doc.IsObject() && doc.HasMember("error")
               ? doc["error"]["code"].GetInt()
               : 0;
  }
  // error.data[key] as text ("" when absent; non-strings as JSON text).
  std::string data(const char* key) const {
    if (code() == 0) return "";
    const auto& e = doc["error"];
    if (!e.HasMember("data") || !e["data"].HasMember(key)) return "";
    const auto& v = e["data"][key];
    if (v.IsString()) return v.GetString();
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return sb.GetString();
  }
  int64_t Int(const char* key) const { return result()[key].GetInt64(); }
  bool Bool(const char* key) const { return result()[key].GetBool(); }
  std::string Str(const char* key) const { return result()[key].GetString(); }
};

// Sends {"jsonrpc":"2.0","id":1,"method":METHOD[,"params":PARAMS]} and
// parses the reply line ("" text and a non-object doc on timeout).
inline Reply CallOn(RpcClient& c, const std::string& method,
                    const std::string& params = "", int timeout_ms = 30000) {
  Reply r;
  std::string req = R"({"jsonrpc":"2.0","id":1,"method":")" + method + "\"";
  if (!params.empty()) req += ",\"params\":" + params;
  req += "}";
  r.text = c.Call(req, timeout_ms);
  r.doc.Parse(r.text.c_str());
  return r;
}

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_SUPPORT_RPC_REPLY_H_
