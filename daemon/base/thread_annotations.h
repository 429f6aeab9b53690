// Clang thread-safety annotations (no-ops elsewhere). See
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html.
#ifndef GOXEL_BASE_THREAD_ANNOTATIONS_H_
#define GOXEL_BASE_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define GOXEL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GOXEL_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) GOXEL_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY GOXEL_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) GOXEL_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) GOXEL_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) GOXEL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) \
  GOXEL_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) GOXEL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) \
  GOXEL_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) GOXEL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) \
  GOXEL_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) \
  GOXEL_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) GOXEL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS \
  GOXEL_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // GOXEL_BASE_THREAD_ANNOTATIONS_H_
