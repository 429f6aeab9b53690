# GOXEL_STATIC_DEPS: link libuv and libpng statically, so that goxel-daemon
# needs only what every Debian image already carries (libc, libstdc++,
# libgcc-s, libsystemd0, zlib1g): the deployment guide's Dockerfile installs
# nothing else on bookworm-slim. tests/packaging/check_needed.py holds the
# binary's NEEDED entries to that set. On by default except in sanitizer and
# fuzzing builds; Debian's libuv1-dev and libpng-dev ship the archives.
# Included from the top-level CMakeLists.txt after find_package(PNG) and
# pkg_check_modules(LIBUV): it re-points the imported targets at the archives.
include(CMakeDependentOption)
cmake_dependent_option(GOXEL_STATIC_DEPS
  "Link libuv and libpng statically (runtime needs only libc, libstdc++, libgcc, libsystemd, zlib)"
  ON "NOT GOXEL_SANITIZE;NOT GOXEL_TSAN;NOT GOXEL_FUZZ" OFF)

if(GOXEL_STATIC_DEPS)
  find_library(GOXEL_LIBUV_STATIC NAMES libuv_a.a libuv.a
               HINTS ${LIBUV_STATIC_LIBRARY_DIRS} ${LIBUV_LIBRARY_DIRS})
  find_library(GOXEL_LIBPNG_STATIC NAMES libpng16.a libpng.a
               HINTS ${PNG_LIBRARY_DIRS})
  foreach(var GOXEL_LIBUV_STATIC GOXEL_LIBPNG_STATIC)
    if(NOT ${var})
      message(FATAL_ERROR
        "GOXEL_STATIC_DEPS is ON but ${var} was not found (the static archive "
        "of libuv: libuv_a.a or libuv.a, of libpng: libpng16.a). Install "
        "libuv1-dev and libpng-dev, or configure with -DGOXEL_STATIC_DEPS=OFF "
        "to link them as shared libraries.")
    endif()
  endforeach()
  # libuv's own dependencies, from its pkg-config Libs.private (pthread, dl,
  # rt on Linux), without uv itself.
  set(uv_private ${LIBUV_STATIC_LIBRARIES})
  list(REMOVE_ITEM uv_private uv)
  set_property(TARGET PkgConfig::LIBUV PROPERTY INTERFACE_LINK_LIBRARIES
               "${GOXEL_LIBUV_STATIC};Threads::Threads;${uv_private}")
  # FindPNG sets the location per configuration when it found one per
  # configuration; set them all. PNG::PNG keeps ZLIB::ZLIB and m.
  foreach(prop IMPORTED_LOCATION IMPORTED_LOCATION_RELEASE
          IMPORTED_LOCATION_DEBUG)
    set_property(TARGET PNG::PNG PROPERTY ${prop} "${GOXEL_LIBPNG_STATIC}")
  endforeach()
  message(STATUS "goxel: static libuv ${GOXEL_LIBUV_STATIC}, libpng ${GOXEL_LIBPNG_STATIC}")
endif()
