#include "methods/result_vocabulary.h"

namespace goxel::methods {

namespace {

#define VEC3 \
  R"({"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":3})"
#define RGBA                                                                 \
  R"({"type":"array","items":{"type":"integer","minimum":0,"maximum":255},)" \
  R"("minItems":4,"maxItems":4})"
#define BOX                                                         \
  R"({"type":"object","properties":{"min":)" VEC3 R"(,"max":)" VEC3 \
  R"(},"required":["min","max"]})"
#define BOX_OR_NULL R"({"oneOf":[)" BOX R"(,{"type":"null"}]})"

constexpr const char* kBool = R"({"type":"boolean"})";
constexpr const char* kInt = R"({"type":"integer"})";
constexpr const char* kNumber = R"({"type":"number"})";
constexpr const char* kString = R"({"type":"string"})";
constexpr const char* kArray = R"({"type":"array"})";
constexpr const char* kObject = R"({"type":"object"})";

struct Row {
  const char* key;
  const char* schema;
};

// Keys whose type is not told by the suffix rules below.
constexpr Row kKeys[] = {
    {"success", kBool},
    {"pong", kBool},
    {"active", kBool},
    {"dirty", kBool},
    {"exists", kBool},
    {"visible", kBool},
    {"truncated", kBool},
    {"empty", kBool},
    {"read_only", kBool},
    {"undone", kBool},
    {"redone", kBool},
    {"shared", kBool},
    {"already_open", kBool},
    {"x", kInt},
    {"y", kInt},
    {"z", kInt},
    {"width", kInt},
    {"height", kInt},
    {"depth", kInt},
    {"count", kInt},
    {"found", kInt},
    {"total", kInt},
    {"offset", kInt},
    {"bytes", kInt},
    {"painted", kInt},
    {"added", kInt},
    {"changed", kInt},
    {"failed", kInt},
    {"removed", kInt},
    {"cells", kInt},
    {"points", kInt},
    {"segments", kInt},
    {"matched", kInt},
    {"pid", kInt},
    {"connections", kInt},
    {"workers", kInt},
    {"timestamp", kInt},
    {"current_time", kInt},
    {"start_time", kInt},
    {"version", R"({"type":["integer","string"],"description":"a project's )"
                R"(version, an integer; in version, status and get_status )"
                R"(the daemon's version, a string"})"},
    {"unique_colors", kInt},
    {"project_version", kInt},
    {"color", RGBA},
    {"min", VEC3},
    {"max", VEC3},
    {"dimensions", VEC3},
    {"bounding_box", BOX_OR_NULL},
    {"selection", BOX_OR_NULL},
    {"bbox", BOX},
    {"active_project_id", R"({"type":["string","null"]})"},
    {"project_id", kString},
    {"path", kString},
    {"name", kString},
    {"format", kString},
    {"hex", kString},
    {"image", R"({"type":"string","contentEncoding":"base64",)"
              R"("contentMediaType":"image/png"})"},
    {"status", kString},
    {"type", kString},
    {"protocol", kString},
    {"hostname", kString},
    {"socket", kString},
    {"shape_type", kString},
    {"message", kString},
    {"content_type", kString},
    {"text", kString},
    {"file_path", kString},
    {"project_name", kString},
    {"problems",
     R"({"type":"array","items":{"type":"string"},)"
     R"("description":"why health is degraded, one sentence each"})"},
    {"layers", kArray},
    {"projects", kArray},
    {"voxels", kArray},
    {"locations", kArray},
    {"histogram", kArray},
    {"colors", kArray},
    {"formats", kArray},
    {"methods", kArray},
    {"errors", kArray},
    {"results", kArray},
    {"worker_utilization", kNumber},
    {"dry_run", kBool},
    {"operations", kInt},
    {"recolored", kInt},
    {"copied", kInt},
    {"moved", kInt},
    {"components", kInt},
    {"connectivity", kInt},
    {"floating_parts", kInt},
    {"size", VEC3},
    {"legend", kObject},
    {"largest", R"({"type":["object","null"]})"},
    {"layout", kString},
    {"slices", kArray},
    {"views", kArray},
    {"checkpoints", kArray},
    {"floating", kArray},
    {"connections_open", kInt},
    {"applied", kArray},
    {"restart_required", kArray},
    {"daemon", kObject},
    {"server", kObject},
    {"logging", kObject},
    {"security", kObject},
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* ResultKeySchema(std::string_view key) {
  for (const Row& r : kKeys) {
    if (key == r.key) return r.schema;
  }
  // One suffix, one type: counts, ids, times, sizes.
  if (EndsWith(key, "_count") || EndsWith(key, "_steps") ||
      EndsWith(key, "_layer_id") || key == "layer_id" ||
      EndsWith(key, "_bytes") || EndsWith(key, "_voxels") ||
      EndsWith(key, "_depth") || EndsWith(key, "_capacity") ||
      EndsWith(key, "_peak") || EndsWith(key, "_busy") ||
      EndsWith(key, "_total") || EndsWith(key, "_served") ||
      EndsWith(key, "_direct") || EndsWith(key, "_wakeups") ||
      EndsWith(key, "_returns") || EndsWith(key, "_accepted") ||
      EndsWith(key, "_rejected") || EndsWith(key, "_in") ||
      EndsWith(key, "_out") || EndsWith(key, "_operations") ||
      EndsWith(key, "_created") || EndsWith(key, "_changed") ||
      EndsWith(key, "_filled")) {
    return kInt;
  }
  if (EndsWith(key, "_ms") || EndsWith(key, "_seconds") ||
      EndsWith(key, "_per_second") || key == "percentage") {
    return kNumber;
  }
  if (EndsWith(key, "_name") || EndsWith(key, "_path")) return kString;
  return nullptr;
}

}  // namespace goxel::methods
