find_package(PkgConfig)

PKG_CHECK_MODULES(PC_GR_SENTINEL gnuradio-sentinel)

FIND_PATH(
    GR_SENTINEL_INCLUDE_DIRS
    NAMES gnuradio/sentinel/api.h
    HINTS $ENV{SENTINEL_DIR}/include
        ${PC_SENTINEL_INCLUDEDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/include
          /usr/local/include
          /usr/include
)

FIND_LIBRARY(
    GR_SENTINEL_LIBRARIES
    NAMES gnuradio-sentinel
    HINTS $ENV{SENTINEL_DIR}/lib
        ${PC_SENTINEL_LIBDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/lib
          ${CMAKE_INSTALL_PREFIX}/lib64
          /usr/local/lib
          /usr/local/lib64
          /usr/lib
          /usr/lib64
          )

include("${CMAKE_CURRENT_LIST_DIR}/gnuradio-sentinelTargets.cmake")

INCLUDE(FindPackageHandleStandardArgs)
FIND_PACKAGE_HANDLE_STANDARD_ARGS(GR_SENTINEL DEFAULT_MSG GR_SENTINEL_LIBRARIES GR_SENTINEL_INCLUDE_DIRS)
MARK_AS_ADVANCED(GR_SENTINEL_LIBRARIES GR_SENTINEL_INCLUDE_DIRS)
