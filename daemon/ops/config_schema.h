// The table of every daemon_config.json key: its path, its type and range,
// whether it can change while the daemon runs, and how it reads from and
// writes to Config. The loader, --print-config, goxel.get_config and
// goxel.set_config all read this one table.
//
// Thread contract: the table is built once on first use and then read-only;
// safe to read from any thread.
#ifndef GOXEL_OPS_CONFIG_SCHEMA_H_
#define GOXEL_OPS_CONFIG_SCHEMA_H_

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ops/config.h"

namespace goxel::ops {

// What a key holds; decides how an environment variable's text converts.
enum class FieldKind { kInt, kDouble, kBool, kString, kList };

struct FieldSpec {
  std::string path;  // "server.workers"
  FieldKind kind;
  bool live;    // true: goxel.set_config and SIGHUP apply it without restart
  bool output;  // false for aliases (logging.log_file): not printed
  // Stores `value` into the Config. On a wrong type or range returns
  // InvalidParams whose message says what was expected ("expected an
  // integer 1..64"); the caller adds the path, the value and the location.
  std::function<Status(const rapidjson::Value& value, Config* config)> set;
  // The field's current value as JSON.
  std::function<rapidjson::Value(const Config& config,
                                 rapidjson::Document::AllocatorType& alloc)>
      get;
};

// Every key, grouped by section in file order.
const std::vector<FieldSpec>& ConfigFields();

// The spec for a key path; nullptr when unknown.
const FieldSpec* FindConfigField(std::string_view path);

// Sections the daemon accepts and leaves to other tools (auto_start,
// mcp_integration, environment): their contents are not checked.
bool IsIgnoredSection(std::string_view section);

// A JSON value as compact text, for messages: got "many", got 100.
std::string JsonText(const rapidjson::Value& value);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_CONFIG_SCHEMA_H_
