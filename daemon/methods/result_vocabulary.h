// The result keys of every method, each with one JSON Schema: one key means
// one fact with one type across all methods (list_methods' result_schema,
// docs/API.md). A test fails when a method's result names a key that is not
// here.
//
// Thread contract: a constant table; thread-safe.
#ifndef GOXEL_METHODS_RESULT_VOCABULARY_H_
#define GOXEL_METHODS_RESULT_VOCABULARY_H_

#include <string_view>

namespace goxel::methods {

// The schema (JSON object text) of result key `key`, or nullptr.
const char* ResultKeySchema(std::string_view key);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_RESULT_VOCABULARY_H_
