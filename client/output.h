// Output: how goxel-client prints replies and errors.
//
// JSON goes to stdout pretty-printed (2-space indent, coloured like jq when
// colour is on) or compact on one line. Errors go to stderr as one line a
// person can read: "goxel-client: error -32601 (method not found): no such
// method — data: {...}".
//
// Thread contract: not thread-safe; one Printer for the process.
#ifndef GOXEL_CLIENT_OUTPUT_H_
#define GOXEL_CLIENT_OUTPUT_H_

#include <cstdio>
#include <string>

#include "base/status.h"
#include "rpc/json.h"

namespace goxel::client {

enum class JsonStyle { kPretty, kShort };

struct OutputOptions {
  JsonStyle style = JsonStyle::kShort;
  bool color = false;
  bool raw = false;    // print the result alone (strings without quotes)
  bool quiet = false;  // print nothing on success
};

// Chooses the defaults for this process: pretty and coloured when stdout is
// a terminal (colour off under NO_COLOR or TERM=dumb), compact otherwise.
OutputOptions DefaultOutputOptions();

// Indented JSON text of `v`; with `color`, ANSI colours as jq uses them.
std::string PrettyJson(const rpc::JsonValue& v, bool color);

// `v` in `style` followed by a newline.
std::string FormatJson(const rpc::JsonValue& v, JsonStyle style, bool color);

// One line (no newline) describing a JSON-RPC error object {code, message,
// data}.
std::string ErrorLine(const rpc::JsonValue& error);

// Writes a whole reply per the options: nothing when quiet; the result alone
// when raw (a string result printed as its text); else the reply.
void PrintReply(const rpc::JsonValue& reply, const OutputOptions& opts);

// Writes `text` to stdout unless quiet.
void PrintText(const std::string& text, const OutputOptions& opts);

// "goxel-client: MESSAGE" on stderr.
void PrintError(const std::string& message);

}  // namespace goxel::client

#endif  // GOXEL_CLIENT_OUTPUT_H_
