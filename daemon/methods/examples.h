// Example params of the goxel.* methods: shown in docs/API.md and run by
// tests/api (each must validate against its method's params schema and
// succeed on the docs' fixture: a project with voxels in [0,3]^3, a layer
// named "roof" (id 2), a selection, and house.gox in the data directory).
// Also v14's extra keys each method accepts and ignores.
//
// Thread contract: constant tables; thread-safe.
#ifndef GOXEL_METHODS_EXAMPLES_H_
#define GOXEL_METHODS_EXAMPLES_H_

#include <string>
#include <string_view>
#include <vector>

namespace goxel::methods {

// Example params (JSON texts) of `method`; empty when it has none.
std::vector<std::string> ExamplesOf(std::string_view method);
// The keys v14's own clients send to `method` that it accepts and ignores.
std::vector<std::string> IgnoredV14Keys(std::string_view method);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_EXAMPLES_H_
