// Params from the command line: one JSON value, or key=value pairs typed the
// way a person means them.
//
//   x=1            -> "x": 1          (a value that parses as JSON is JSON)
//   scale=1.5      -> "scale": 1.5
//   hollow=true    -> "hollow": true
//   position=[1,2,3] -> "position": [1,2,3]
//   none=null      -> "none": null
//   color=#ff0000  -> "color": "#ff0000"  (anything else is a string)
//   name=tower     -> "name": "tower"
//   name='"123"'   -> "name": "123"   (a JSON string forces a string)
//   pos:=[1,2      -> usage error     (key:=VALUE must be valid JSON)
//   empty=         -> "empty": ""
//
// Thread contract: stateless functions; thread-safe.
#ifndef GOXEL_CLIENT_PARAMS_H_
#define GOXEL_CLIENT_PARAMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rpc/json.h"

namespace goxel::client {

// Parses `text` as one strict JSON value into `doc`; false when it is not
// exactly one JSON value.
bool ParseJsonValue(std::string_view text, rpc::JsonDocument* doc);

// Turns the words after METHOD into params in `doc`:
//   no words                        -> doc stays null (params omitted)
//   one word that is a JSON object or array -> that value
//   key=value / key:=json words     -> an object
// Anything else is a usage error (exit 2) naming the bad word.
Status BuildParams(const std::vector<std::string>& words,
                   rpc::JsonDocument* doc);

// Adds key=value words to an existing object `obj` (keys already present
// are replaced), for verbs that fill some params themselves.
Status AddKeyValues(const std::vector<std::string>& words, rpc::JsonValue* obj,
                    rpc::JsonAllocator& alloc);

// Splits a shorthand line "METHOD [PARAMS...]" (stdin mode) into words on
// blanks; a rest of line that starts with '{' or '[' stays one word.
std::vector<std::string> SplitShorthand(std::string_view line);

// A compact JSON-RPC 2.0 request text (no trailing newline). `params` may
// be null (then omitted).
std::string RequestText(std::string_view method, const rpc::JsonValue& params,
                        int64_t id);

}  // namespace goxel::client

#endif  // GOXEL_CLIENT_PARAMS_H_
