// Params: typed access to a request's params, named or positional.
//
// A request's params are an object (named) or an array (positional, in the
// order of the method's ParamSpec list). Params hides the difference: Get
// ("x") finds the member "x" of an object, or the element at x's position in
// an array. JSON null counts as absent. The typed getters return
// InvalidParams errors that name the parameter and say what was expected
// and what came, never a silent default for a wrong type.
//
// Thread contract: a view over a JSON value owned elsewhere; not
// thread-safe, valid while that value lives.
#ifndef GOXEL_RPC_PARAMS_H_
#define GOXEL_RPC_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rpc/json.h"

namespace goxel::rpc {

// One documented parameter of a method: a canonical name, or a v14 alias
// of one (`alias_of`). The rows' order is the positional order (v14's).
struct ParamSpec {
  std::string name;
  std::string type;  // "integer", "number", "string", "boolean", "array",
                     // "object", "color", "position", "layer", "region",
                     // "any", … (methods/schema.h maps them to JSON Schema)
  bool required = false;
  std::string description;
  // Non-empty: this row is a v14 name accepted for the canonical param
  // `alias_of`: for its whole value (component < 0; Get(alias_of) finds it)
  // or for one element of it (component >= 0: x,y,z of position, r,g,b,a of
  // color; the handler's reader assembles them). Alias rows keep v14's
  // positional slots; schemas list only canonical rows.
  std::string alias_of = {};
  int component = -1;
  // Extra JSON Schema keywords of the value, as a JSON object's text
  // (e.g. {"minimum":1,"default":64}), merged into what `type` gives.
  std::string schema = {};
};

// A v14 name accepted for canonical param `canonical` (see ParamSpec).
ParamSpec Alias(std::string name, std::string canonical, int component = -1);

class Params {
 public:
  // `raw` may be null (no params), an object or an array; `specs` gives the
  // positional order.
  Params(const JsonValue* raw, const std::vector<ParamSpec>* specs)
      : raw_(raw), specs_(specs) {}

  // The value for `name`, or nullptr when absent or null.
  const JsonValue* Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  bool positional() const { return raw_ && raw_->IsArray(); }
  const JsonValue* raw() const { return raw_; }

  // Checks the shape: a positional array no longer than the spec list.
  Status CheckShape(bool accepts_any) const;
  // Checks the names of named params: each must be a row's name (canonical
  // or alias) or one of `ignored` (v14's extra keys, accepted and unused).
  // An unknown name is -32602 naming it, with the nearest accepted name
  // ("did you mean"), data {unknown: [...], accepted: [...]}. A canonical
  // param given together with one of its aliases is -32602 too.
  Status CheckNames(const std::vector<std::string>& ignored) const;

  // Required getters: a missing parameter is an error.
  Result<int64_t> Int(std::string_view name) const;
  Result<double> Number(std::string_view name) const;
  Result<std::string> String(std::string_view name) const;
  Result<bool> Bool(std::string_view name) const;

  // Optional getters: `fallback` when absent, an error when present but
  // wrong.
  Result<int64_t> Int(std::string_view name, int64_t fallback) const;
  Result<double> Number(std::string_view name, double fallback) const;
  Result<std::string> String(std::string_view name,
                             std::string_view fallback) const;
  Result<bool> Bool(std::string_view name, bool fallback) const;

  // Like Int, and checks lo <= value <= hi.
  Result<int64_t> IntInRange(std::string_view name, int64_t lo, int64_t hi,
                             std::optional<int64_t> fallback) const;

  // Error helpers for handlers' own checks.
  static Status Missing(std::string_view name, std::string_view expected);
  static Status Wrong(std::string_view name, std::string_view expected,
                      const JsonValue& got);

 private:
  const JsonValue* raw_;
  const std::vector<ParamSpec>* specs_;
};

// Reads an integer from a JSON number: integers, or doubles with no
// fractional part that fit in int64. nullopt otherwise.
std::optional<int64_t> JsonToInt64(const JsonValue& v);

// The candidate nearest to `name` by edit distance (ties: the first), or ""
// when none is close enough to be a plausible typo or synonym.
std::string NearestName(std::string_view name,
                        const std::vector<std::string>& candidates);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_PARAMS_H_
