// The add_voxel_batch request the batch benchmarks send: `n` voxels filling
// a 64-wide slab, as {x,y,z,r,g,b,a} objects or [x,y,z,r,g,b,a] arrays.
#ifndef GOXEL_BENCH_METHODS_VOXEL_BATCH_H_
#define GOXEL_BENCH_METHODS_VOXEL_BATCH_H_

#include <string>

inline std::string VoxelBatchRequest(int n, bool arrays, int id) {
  std::string s = R"({"jsonrpc":"2.0","method":"goxel.add_voxel_batch","id":)" +
                  std::to_string(id) + R"(,"params":{"voxels":[)";
  s.reserve(static_cast<size_t>(n) * 48 + 128);
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    std::string x = std::to_string(i % 64), y = std::to_string(i / 4096),
                z = std::to_string((i / 64) % 64), r = std::to_string(i % 251);
    if (arrays) {
      s += "[" + x + "," + y + "," + z + "," + r + ",128,7,255]";
    } else {
      s += R"({"x":)" + x + R"(,"y":)" + y + R"(,"z":)" + z + R"(,"r":)" + r +
           R"(,"g":128,"b":7,"a":255})";
    }
  }
  return s + "]}}";
}

#endif  // GOXEL_BENCH_METHODS_VOXEL_BATCH_H_
