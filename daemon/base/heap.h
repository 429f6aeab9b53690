// The process heap's policy for freed memory.
//
// glibc's malloc gives the free memory at the top of a heap back to the
// kernel as soon as it passes a small threshold. A worker that parses a
// large request (the DOM of a 100,000-voxel add_voxel_batch is about 30 MB)
// then takes its pages from the kernel again on every request, and page
// faults dominate the request. KeepFreedMemory() lets each heap keep up to
// kKeptFreeBytes of freed memory for reuse, and serves blocks up to
// kMmapThresholdBytes from the heaps rather than from mmap. What a heap
// keeps is not used memory: ReturnFreedMemory() gives all of it back; the
// daemon calls it once the pool has been idle for a second (app/), and the
// methods after a closed project or a cancelled edit, so RSS follows what
// the engine holds.
//
// Both are no-ops where the allocator is not glibc's (sanitizer builds
// bring their own).
//
// Thread contract: KeepFreedMemory() once at start, before the threads;
// ReturnFreedMemory() from any thread (it may take a few milliseconds: not
// on the loop thread).
#ifndef GOXEL_BASE_HEAP_H_
#define GOXEL_BASE_HEAP_H_

#include <cstddef>

namespace goxel {

inline constexpr size_t kKeptFreeBytes = size_t{64} << 20;
inline constexpr size_t kMmapThresholdBytes = size_t{32} << 20;

void KeepFreedMemory();
void ReturnFreedMemory();

}  // namespace goxel

#endif  // GOXEL_BASE_HEAP_H_
