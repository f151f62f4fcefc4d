# toolchains/deps/target-deps.cmake - zlib, SQLite, inih and mbedTLS for the target, from Debian's packages.
#
# Included by the top CMakeLists.txt when EDGECUR_DEPS=source (the ARM presets). Each library is
# built for the target with the toolchain (CMAKE_TOOLCHAIN_FILE is passed on) at configure time
# by ec_build_source_package (curl.cmake) into <build>/_deps/<name>, from Debian's source package
# unpacked by fetch-source.sh into EDGECUR_DEPS_CACHE (shared by build directories, never in the
# repository), static only:
#   zlib     Debian's `zlib` source compiled as its ./configure would (zlib/CMakeLists.txt: zlib's
#            own CMake needs the win32/ folder Debian's .dfsg tarball drops); libz.a.
#   sqlite3  Debian's `sqlite3` source: the amalgamation is generated once per Debian revision
#            with the build machine's compiler and tclsh (`make sqlite3.c`), then compiled for
#            the target -Os with EC_SQLITE_OPTIONS (sqlite3/CMakeLists.txt).
#   mbedtls  Debian's `mbedtls` source, its own CMake (through mbedtls/CMakeLists.txt), upstream's
#            default config.h plus MBEDTLS_PLATFORM_MEMORY, so that TLS takes its memory from the
#            network's fixed heap (Debian's build also turns on threading, HAVEGE, MD2/MD4, CMAC
#            and DTLS-SRTP, none of which edgecur uses).
#   inih     Debian's `libinih` source with our options (inih/CMakeLists.txt: line numbers in
#            the handler, our line limit) when the mirror serves it; else Debian's *binary*
#            libinih-dev for the target (fetch-binary.sh), whose options are the host's libinih1.
#            This project's mirror has served libinih's binaries but not its orig tarball (404).
# The results go into the cache variables the host's find_package/find_path/find_library calls
# in CMakeLists.txt read (ZLIB_*, SQLite3_*, INIH_*, MBEDTLS_INCLUDE_DIR, MBEDCRYPTO_LIBRARY) and
# the EDGECUR_MBED*_STATIC ones curl.cmake reads, so the rest of the build is the host's.
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/build-source-package.cmake)

set(deps_scripts "${CMAKE_CURRENT_LIST_DIR}")
set(deps_prefix "${CMAKE_BINARY_DIR}/_deps")

# ec_fetch_debian_source(<package> <out-var>): the unpacked tree's path.
function(ec_fetch_debian_source package out)
  execute_process(COMMAND bash "${deps_scripts}/fetch-source.sh" ${package} "${EDGECUR_DEPS_CACHE}"
                  OUTPUT_VARIABLE tree OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE fetched)
  if(NOT fetched EQUAL 0 OR NOT IS_DIRECTORY "${tree}")
    message(FATAL_ERROR "${package}: could not fetch Debian's source package (see above)")
  endif()
  ec_manifest_origin(${package} "${tree}")
  set(${out} "${tree}" PARENT_SCOPE)
endfunction()

# What every dependency build gets: the toolchain, static, position-independent, size-optimised.
set(deps_common_args
  -DCMAKE_BUILD_TYPE=MinSizeRel
  -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
  -DCMAKE_INSTALL_LIBDIR=lib
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_SHARED_LIBS=OFF)
# No CMAKE_C_FLAGS here: the toolchain file's flags (-march, 64-bit off_t/time_t on armhf,
# -ffunction-sections) must reach every dependency unchanged.
if(CMAKE_TOOLCHAIN_FILE)
  list(APPEND deps_common_args -DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE})
endif()
if(CMAKE_C_COMPILER_LAUNCHER)
  list(APPEND deps_common_args -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
endif()

# ---- zlib ----------------------------------------------------------------------------------------
ec_fetch_debian_source(zlib zlib_tree)
file(SHA256 "${deps_scripts}/zlib/CMakeLists.txt" zlib_wrapper_hash)
ec_build_source_package(zlib "${deps_scripts}/zlib" "${deps_prefix}/zlib" ${deps_common_args}
  -DZLIB_SOURCE_DIR=${zlib_tree} -DEC_WRAPPER_HASH=${zlib_wrapper_hash})
set(ZLIB_INCLUDE_DIR "${deps_prefix}/zlib/include" CACHE PATH "" FORCE)
set(ZLIB_LIBRARY "${deps_prefix}/zlib/lib/libz.a" CACHE FILEPATH "" FORCE)

# ---- SQLite: amalgamation from Debian's source, generated once per revision -----------------------
ec_fetch_debian_source(sqlite3 sqlite_tree)
get_filename_component(sqlite_tree_name "${sqlite_tree}" NAME)
set(sqlite_amalgamation "${EDGECUR_DEPS_CACHE}/${sqlite_tree_name}.amalgamation")
if(NOT EXISTS "${sqlite_amalgamation}/sqlite3.c")
  find_program(EDGECUR_TCLSH NAMES tclsh tclsh8.6)
  find_program(EDGECUR_HOST_CC NAMES cc gcc NO_CMAKE_FIND_ROOT_PATH)
  if(NOT EDGECUR_TCLSH OR NOT EDGECUR_HOST_CC)
    message(FATAL_ERROR "sqlite3: generating the amalgamation needs tclsh and a host C compiler: "
                        "apt-get install tcl gcc")
  endif()
  message(STATUS "sqlite3: generating the amalgamation of ${sqlite_tree_name}")
  set(work "${sqlite_amalgamation}.partial")
  file(REMOVE_RECURSE "${work}")
  file(MAKE_DIRECTORY "${work}")
  execute_process(COMMAND env CC=${EDGECUR_HOST_CC} CFLAGS= LDFLAGS=
                          "${sqlite_tree}/configure" --disable-tcl --disable-readline
                  WORKING_DIRECTORY "${work}" OUTPUT_FILE "${work}/configure.log"
                  ERROR_FILE "${work}/configure.log" RESULT_VARIABLE result)
  if(result EQUAL 0)
    execute_process(COMMAND make -j${EDGECUR_DEPS_JOBS} sqlite3.c
                    WORKING_DIRECTORY "${work}" OUTPUT_FILE "${work}/make.log"
                    ERROR_FILE "${work}/make.log" RESULT_VARIABLE result)
  endif()
  if(NOT result EQUAL 0 OR NOT EXISTS "${work}/sqlite3.c")
    message(FATAL_ERROR "sqlite3: amalgamation failed (logs in ${work})")
  endif()
  file(MAKE_DIRECTORY "${sqlite_amalgamation}.new")
  file(COPY "${work}/sqlite3.c" "${work}/sqlite3.h" "${work}/sqlite3ext.h"
       DESTINATION "${sqlite_amalgamation}.new")
  file(REMOVE_RECURSE "${work}" "${sqlite_amalgamation}")
  file(RENAME "${sqlite_amalgamation}.new" "${sqlite_amalgamation}")
endif()
# Options that only remove what edgecur never calls or change nothing it relies on (no parser
# option: those need a differently generated amalgamation). The store uses WAL, pragmas,
# user functions, soft and hard heap limits (so memory statistics stay on) and UTF-8 only.
set(EC_SQLITE_OPTIONS
  SQLITE_THREADSAFE=1 SQLITE_OMIT_LOAD_EXTENSION SQLITE_OMIT_DEPRECATED SQLITE_OMIT_SHARED_CACHE
  SQLITE_OMIT_PROGRESS_CALLBACK SQLITE_OMIT_UTF16 SQLITE_OMIT_COMPLETE SQLITE_OMIT_GET_TABLE
  SQLITE_OMIT_TCL_VARIABLE SQLITE_OMIT_DECLTYPE SQLITE_OMIT_JSON SQLITE_LIKE_DOESNT_MATCH_BLOBS
  SQLITE_MAX_EXPR_DEPTH=0 SQLITE_USE_ALLOCA SQLITE_DEFAULT_FOREIGN_KEYS=0
  SQLITE_ENABLE_DBSTAT_VTAB # as Debian's: tests/store measures bytes per row with it
  SQLITE_ENABLE_MEMSYS5 # the fixed heap: core/store/store_memory.h
  HAVE_USLEEP=1 HAVE_FDATASYNC=1 HAVE_LOCALTIME_R=1 HAVE_GMTIME_R=1 HAVE_STRCHRNUL=1)
list(JOIN EC_SQLITE_OPTIONS "," sqlite_options_arg) # commas: a ;-list does not survive the trip
file(SHA256 "${deps_scripts}/sqlite3/CMakeLists.txt" sqlite_wrapper_hash)
ec_build_source_package(sqlite3 "${deps_scripts}/sqlite3" "${deps_prefix}/sqlite3"
  ${deps_common_args} -DSQLITE_AMALGAMATION_DIR=${sqlite_amalgamation}
  "-DSQLITE_OPTIONS=${sqlite_options_arg}" -DEC_WRAPPER_HASH=${sqlite_wrapper_hash})
set(SQLite3_INCLUDE_DIR "${deps_prefix}/sqlite3/include" CACHE PATH "" FORCE)
set(SQLite3_LIBRARY "${deps_prefix}/sqlite3/lib/libsqlite3.a" CACHE FILEPATH "" FORCE)

# ---- mbedTLS ---------------------------------------------------------------------------------------
ec_fetch_debian_source(mbedtls mbedtls_tree)
file(SHA256 "${deps_scripts}/mbedtls/CMakeLists.txt" mbedtls_wrapper_hash)
ec_build_source_package(mbedtls "${deps_scripts}/mbedtls" "${deps_prefix}/mbedtls"
  ${deps_common_args} -DMBEDTLS_SOURCE_DIR=${mbedtls_tree} -DEC_WRAPPER_HASH=${mbedtls_wrapper_hash}
  -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON
  -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DMBEDTLS_FATAL_WARNINGS=OFF -DLIB_INSTALL_DIR=lib
  -DGEN_FILES=OFF)
set(MBEDTLS_INCLUDE_DIR "${deps_prefix}/mbedtls/include" CACHE PATH "" FORCE)
foreach(library mbedtls mbedx509 mbedcrypto)
  string(TOUPPER "EDGECUR_${library}_STATIC" variable)
  set(${variable} "${deps_prefix}/mbedtls/lib/lib${library}.a" CACHE FILEPATH "" FORCE)
endforeach()
set(MBEDCRYPTO_LIBRARY "${EDGECUR_MBEDCRYPTO_STATIC}" CACHE FILEPATH "" FORCE)

# ---- inih: Debian's source with our options, or Debian's binary build for the target -------------
# The source is tried first; this project's mirror has answered 404 for its orig tarball, so the
# fallback is Debian's own build, whose options (200-byte lines, no line number in the handler)
# core/config/config_loader.cpp works with too. The manifest says which one went in, and why.
# A failed source fetch is remembered per build directory (EC_INIH_SOURCE_MISSING): delete the
# build directory's CMakeCache.txt to try again.
file(STRINGS "${PROJECT_SOURCE_DIR}/core/config/config.h" max_line_text
     REGEX "kConfigMaxLineBytes = [0-9]+")
if(NOT max_line_text MATCHES "kConfigMaxLineBytes = ([0-9]+)")
  message(FATAL_ERROR "inih: kConfigMaxLineBytes not found in core/config/config.h")
endif()
math(EXPR inih_max_line "${CMAKE_MATCH_1} + 3")
set(inih_definitions INI_HANDLER_LINENO=1 INI_MAX_LINE=${inih_max_line})
set(inih_source "")
if(NOT DEFINED EC_INIH_SOURCE_MISSING)
  execute_process(COMMAND bash "${deps_scripts}/fetch-source.sh" libinih "${EDGECUR_DEPS_CACHE}"
                  OUTPUT_VARIABLE inih_source OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_VARIABLE fetch_log RESULT_VARIABLE fetched)
  message(STATUS "inih: trying Debian's source\n${fetch_log}")
  if(NOT fetched EQUAL 0 OR NOT EXISTS "${inih_source}/ini.c")
    set(inih_source "")
    # The versions tried and why each failed, for the manifest.
    string(REGEX MATCHALL "\n  [^\n]+" why "${fetch_log}")
    list(TRANSFORM why STRIP)
    list(JOIN why ", " why)
    set(EC_INIH_SOURCE_MISSING "${why}" CACHE INTERNAL "why libinih's source could not be fetched")
  endif()
endif()
if(inih_source)
  ec_manifest_origin(inih "${inih_source}")
  list(JOIN inih_definitions "," inih_definitions_arg)
  file(SHA256 "${deps_scripts}/inih/CMakeLists.txt" inih_wrapper_hash)
  ec_build_source_package(inih "${deps_scripts}/inih" "${deps_prefix}/inih" ${deps_common_args}
    -DINIH_SOURCE_DIR=${inih_source} "-DINIH_DEFINITIONS=${inih_definitions_arg}"
    -DEC_WRAPPER_HASH=${inih_wrapper_hash})
  set(INIH_INCLUDE_DIR "${deps_prefix}/inih/include" CACHE PATH "" FORCE)
  set(INIH_LIBRARY "${deps_prefix}/inih/lib/libinih.a" CACHE FILEPATH "" FORCE)
  set(INIH_COMPILE_DEFINITIONS "${inih_definitions}" CACHE STRING "" FORCE)
  set(inih_how "Debian source")
else()
  message(STATUS "inih: Debian's libinih source cannot be fetched; taking Debian's binary build")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(debian_arch arm64)
    set(multiarch aarch64-linux-gnu)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
    set(debian_arch armhf)
    set(multiarch arm-linux-gnueabihf)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
    set(debian_arch amd64)
    set(multiarch x86_64-linux-gnu)
  else()
    message(FATAL_ERROR "inih: no Debian architecture known for ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
  execute_process(COMMAND bash "${deps_scripts}/fetch-binary.sh" libinih-dev ${debian_arch}
                          "${EDGECUR_DEPS_CACHE}"
                  OUTPUT_VARIABLE inih_tree OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE fetched)
  if(NOT fetched EQUAL 0 OR NOT EXISTS "${inih_tree}/usr/lib/${multiarch}/libinih.a")
    message(FATAL_ERROR "inih: could not fetch Debian's libinih-dev for ${debian_arch} (see above)")
  endif()
  ec_manifest_origin(inih "${inih_tree}"
                     NOTE "FALLBACK from Debian's libinih source (${EC_INIH_SOURCE_MISSING})")
  set(INIH_INCLUDE_DIR "${inih_tree}/usr/include" CACHE PATH "" FORCE)
  set(INIH_LIBRARY "${inih_tree}/usr/lib/${multiarch}/libinih.a" CACHE FILEPATH "" FORCE)
  set(INIH_COMPILE_DEFINITIONS "" CACHE STRING "" FORCE)
  set(inih_how "Debian's ${debian_arch} build")
endif()

# curl from source must link this zlib, statically (curl.cmake builds it next).
set(ZLIB_USE_STATIC_LIBS ON)
message(STATUS "target dependencies: zlib, sqlite3, mbedtls from Debian source, inih from "
               "${inih_how}, all static, in ${deps_prefix}")
