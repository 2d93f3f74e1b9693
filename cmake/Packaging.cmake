# The Debian package of agentboot (cpack -G DEB in the build tree): the binary, the systemd unit,
# its defaults file, the custom script extension's script and the maintainer scripts that create
# the agentboot user. Runtime library dependencies come from dpkg-shlibdeps.
#   cmake --build build --target agentboot && (cd build && cpack -G DEB)
#   -> build/agentboot_<version>_amd64.deb
set(vmss_dir ${CMAKE_SOURCE_DIR}/images/vmss)
install(TARGETS agentboot RUNTIME DESTINATION bin COMPONENT agentboot)
install(FILES ${vmss_dir}/agentboot.service DESTINATION lib/systemd/system COMPONENT agentboot)
install(FILES ${vmss_dir}/default DESTINATION /etc/default RENAME agentboot COMPONENT agentboot)
install(PROGRAMS ${vmss_dir}/install-agentboot.sh DESTINATION share/agentboot COMPONENT agentboot)

set(CPACK_PACKAGE_NAME agentboot)
set(CPACK_PACKAGE_VENDOR "agentboot")
set(CPACK_PACKAGE_CONTACT "agentboot maintainers <agentboot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Azure Pipelines agents registered with a managed identity, supervised and drained")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL agentboot)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${vmss_dir}/debian/conffiles ${vmss_dir}/debian/postinst
    ${vmss_dir}/debian/prerm ${vmss_dir}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)
