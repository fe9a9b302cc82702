# What Pigeon installs besides the program, its desktop entry and icons (app/CMakeLists.txt): the manual page, bash
# completion, AppStream metainfo and the copyright and changelog Debian policy asks for; and the Debian package made
# of all of it with CPack (`./pigeon.sh package`, or `cpack -G DEB` in a build folder). dpkg-shlibdeps finds the
# shared libraries it needs; the Qt plugins it loads at run time are named by hand.
include(GNUInstallDirs)
set(resources ${PROJECT_SOURCE_DIR}/resources)
set(docdir ${CMAKE_INSTALL_DATADIR}/doc/pigeon)

# Debian policy 12.3 and 12.7: manual pages and changelogs are compressed with gzip -9; -n leaves out the time
# stamp, so the package builds the same twice.
find_program(PIGEON_GZIP gzip REQUIRED)
set(gzipped)
foreach(source IN ITEMS pigeon.1 debian/changelog)
    get_filename_component(name ${source} NAME)
    if(name STREQUAL "changelog")
        set(name changelog.Debian)
    endif()
    set(output ${PROJECT_BINARY_DIR}/packaging/${name}.gz)
    add_custom_command(OUTPUT ${output}
        COMMAND ${CMAKE_COMMAND} -E copy ${resources}/${source} ${PROJECT_BINARY_DIR}/packaging/${name}
        COMMAND ${PIGEON_GZIP} -9nf ${PROJECT_BINARY_DIR}/packaging/${name}
        DEPENDS ${resources}/${source} VERBATIM)
    list(APPEND gzipped ${output})
endforeach()
add_custom_target(pigeon_docs ALL DEPENDS ${gzipped})

install(FILES ${PROJECT_BINARY_DIR}/packaging/pigeon.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${resources}/pigeon.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME pigeon)
install(FILES ${resources}/org.pigeon_lan.Pigeon.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${resources}/debian/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz
        DESTINATION ${docdir})
install(FILES ${resources}/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME pigeon)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pigeon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "The Pigeon developers <pigeon@pigeon-lan.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "serverless LAN messenger over UDP")
# The extended description as it appears in the control file: lines of at most 80 characters.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "Pigeon is a messenger for people on one local network who chat without any\n"
    "server: every message is one UDP datagram, acknowledged and retransmitted until\n"
    "it is delivered, and kept in a local SQLite history.\n"
    ".\n"
    "It speaks the IP Messenger protocol, so it chats with IP Messenger, FeiQ and\n"
    "iptux, and plain text. It has a desktop window with desktop notifications,\n"
    "one window per profile, and a terminal mode (pigeon --console).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # pigeon_VERSION-RELEASE_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded as plugins, so dpkg-shlibdeps cannot see them: Qt's SQLite driver (the history).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
# Qt's own strings (OK, Cancel) in the user's language; WebP pictures shown in conversations.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-image-formats-plugins")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
