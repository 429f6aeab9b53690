// Base64 (RFC 4648, standard alphabet, '=' padding) for PNGs and buffers
// carried inside JSON.
//
// Thread contract: a pure function; thread-safe.
#ifndef GOXEL_BASE_BASE64_H_
#define GOXEL_BASE_BASE64_H_

#include <cstdint>
#include <span>
#include <string>

namespace goxel {

std::string Base64Encode(std::span<const uint8_t> in);

}  // namespace goxel

#endif  // GOXEL_BASE_BASE64_H_
