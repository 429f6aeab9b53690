# CPack: `cpack -G DEB` in a build directory writes goxel-daemon_VERSION_ARCH.deb
# with the daemon, the client, their man pages, the systemd units,
# sysusers/tmpfiles files, logrotate, /etc/goxel/daemon_config.json (a
# conffile) and bash completion. CPack writes no maintainer logic: postinst,
# prerm and postrm (packaging/debian/) are written the way debhelper 13 would.
set(CPACK_PACKAGE_NAME goxel-daemon)
set(CPACK_PACKAGE_VENDOR "goxel-daemon developers")
set(CPACK_PACKAGE_CONTACT "goxel-daemon developers <goxel-daemon@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "headless voxel engine served over JSON-RPC 2.0 on a Unix socket")
set(CPACK_PACKAGE_DESCRIPTION
    "goxel-daemon serves a voxel engine (projects, layers, edits, queries, file
formats, rendering) over JSON-RPC 2.0 on a Unix socket; goxel-client is its
command-line companion. Runs as a hardened systemd service (Type=notify,
socket activation, watchdog) as user goxel.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Absolute destinations (/etc) go into the package, not onto this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers and systemd-tmpfiles (postinst), deb-systemd-helper.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, init-system-helpers (>= 1.52)")
# goxel-mcp (in the package with -DGOXEL_INSTALL_MCP=ON) runs on node.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nodejs (>= 18)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "logrotate")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm
    ${CMAKE_CURRENT_LIST_DIR}/debian/conffiles)
include(CPack)
