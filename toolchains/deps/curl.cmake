# toolchains/deps/curl.cmake - libcurl for ec_platform: Debian's, or ours from Debian's source.
#
# EDGECUR_CURL=system:  find_package(CURL): Debian's libcurl4-openssl-dev (OpenSSL, ~33 shared
#                       libraries, ~6.5 MiB of RSS just to load them).
# EDGECUR_CURL=mbedtls: curl from Debian's `curl` source package (fetch-source.sh, cached in
#                       EDGECUR_DEPS_CACHE), configured, built and installed under
#                       <build>/_deps/curl at configure time with curl's own CMake: a static
#                       libcurl, HTTP/HTTPS only, TLS by mbedTLS (static), zlib, proxies and IPv6,
#                       nothing else. It is rebuilt only when its inputs change.
# Either way the result is the imported target CURL::libcurl, and mbedtls::crypto (our SigV4
# hashing) is the same mbedTLS build curl uses.
#
# Cross builds: everything here goes through the toolchain file (CMAKE_TOOLCHAIN_FILE is passed
# on), finds the target's mbedTLS under CMAKE_FIND_ROOT_PATH, and pre-seeds the two checks curl's
# CMake cannot run when cross-compiling.

if(NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(deps_cache_default "$ENV{XDG_CACHE_HOME}/edgecur/src")
else()
  set(deps_cache_default "$ENV{HOME}/.cache/edgecur/src")
endif()
set(EDGECUR_DEPS_CACHE "${deps_cache_default}" CACHE PATH
    "Where Debian source packages are unpacked (shared by build directories)")
set(EDGECUR_DEPS_JOBS 2 CACHE STRING "Parallel jobs for building dependencies at configure time")

# ec_build_source_package(<name> <source-dir> <prefix> <cmake-args>...): configures, builds and
# installs a CMake project into <prefix> now, at configure time (so its package files exist for
# find_package), in <build>/_deps/<name>-build with EDGECUR_DEPS_JOBS jobs. Skipped when <prefix>
# holds a build of the same source tree, arguments and compiler. Logs: <name>-build/<step>.log.
function(ec_build_source_package name source_dir prefix)
  set(args ${ARGN})
  set(build "${CMAKE_BINARY_DIR}/_deps/${name}-build")
  set(compiler "${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION} ${CMAKE_GENERATOR}")
  string(SHA256 key "${source_dir}|${args}|${compiler}")
  set(key_file "${prefix}/edgecur-build.key")
  set(built_key "")
  if(EXISTS "${key_file}")
    file(READ "${key_file}" built_key)
  endif()
  if(built_key STREQUAL key)
    return()
  endif()
  get_filename_component(tree "${source_dir}" NAME)
  message(STATUS "${name}: building ${tree} in ${build}")
  string(TIMESTAMP started "%s")
  file(REMOVE_RECURSE "${build}" "${prefix}")
  file(MAKE_DIRECTORY "${build}")
  set(generator -G "${CMAKE_GENERATOR}")
  if(CMAKE_MAKE_PROGRAM)
    list(APPEND generator "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
  endif()
  foreach(step configure build install)
    if(step STREQUAL "configure")
      set(command ${CMAKE_COMMAND} -S ${source_dir} -B ${build} ${generator}
                  -DCMAKE_INSTALL_PREFIX=${prefix} ${args})
    elseif(step STREQUAL "build")
      set(command ${CMAKE_COMMAND} --build ${build} --parallel ${EDGECUR_DEPS_JOBS})
    else()
      set(command ${CMAKE_COMMAND} --install ${build})
    endif()
    execute_process(COMMAND ${command} OUTPUT_FILE "${build}/${step}.log"
                    ERROR_FILE "${build}/${step}.log" RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
      file(STRINGS "${build}/${step}.log" log_lines)
      list(LENGTH log_lines count)
      if(count GREATER 40)
        math(EXPR first "${count} - 40")
        list(SUBLIST log_lines ${first} 40 log_lines)
      endif()
      list(JOIN log_lines "\n" log_tail)
      message(FATAL_ERROR "${name}: ${step} failed (${build}/${step}.log):\n${log_tail}")
    endif()
  endforeach()
  file(WRITE "${key_file}" "${key}")
  string(TIMESTAMP finished "%s")
  math(EXPR seconds "${finished} - ${started}")
  message(STATUS "${name}: built in ${seconds} s")
endfunction()

if(EDGECUR_CURL STREQUAL "system")
  find_package(CURL 7.85) # CURLOPT_PROTOCOLS_STR
  if(NOT CURL_FOUND)
    message(FATAL_ERROR "libcurl >= 7.85 not found: apt-get install libcurl4-openssl-dev")
  endif()
  return()
elseif(NOT EDGECUR_CURL STREQUAL "mbedtls")
  message(FATAL_ERROR "EDGECUR_CURL must be system or mbedtls, not '${EDGECUR_CURL}'")
endif()

# ---- mbedTLS: Debian's static libraries (libmbedtls-dev ships them) --------------------------
foreach(library mbedtls mbedx509 mbedcrypto)
  string(TOUPPER "EDGECUR_${library}_STATIC" variable)
  find_library(${variable} NAMES lib${library}.a)
  if(NOT ${variable} AND CMAKE_CROSSCOMPILING)
    # Debian's multiarch mbedTLS is not installable here (CROSS.md): build Debian's mbedtls source
    # with the toolchain (fetch-source.sh mbedtls, ec_build_source_package) and point these at it.
    message(FATAL_ERROR "lib${library}.a for ${CMAKE_SYSTEM_PROCESSOR} not found: set "
                        "${variable} to the target's static mbedTLS")
  elseif(NOT ${variable})
    message(FATAL_ERROR "lib${library}.a not found: apt-get install libmbedtls-dev")
  endif()
endforeach()
set_target_properties(mbedtls::crypto PROPERTIES IMPORTED_LOCATION "${EDGECUR_MBEDCRYPTO_STATIC}")

# ---- curl's source --------------------------------------------------------------------------
set(fetch_script "${CMAKE_CURRENT_LIST_DIR}/fetch-source.sh")
execute_process(COMMAND bash "${fetch_script}" curl "${EDGECUR_DEPS_CACHE}"
                OUTPUT_VARIABLE curl_source_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE fetched)
if(NOT fetched EQUAL 0 OR NOT EXISTS "${curl_source_dir}/CMakeLists.txt")
  message(FATAL_ERROR "curl: could not fetch Debian's source package (see above); "
                      "or configure with -DEDGECUR_CURL=system")
endif()

# ---- configure, build and install it (static, HTTP/HTTPS, mbedTLS, zlib) ------------------------
set(curl_prefix "${CMAKE_BINARY_DIR}/_deps/curl")
set(curl_args
  -DCMAKE_BUILD_TYPE=MinSizeRel
  -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
  -DCMAKE_INSTALL_LIBDIR=lib
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF
  -DPICKY_COMPILER=OFF -DCURL_ENABLE_EXPORT_TARGET=ON
  # HTTP and HTTPS only; proxies (HTTP, HTTPS, SOCKS) with their authentication, IPv6.
  -DHTTP_ONLY=ON -DCURL_DISABLE_PROXY=OFF -DENABLE_IPV6=ON
  -DCURL_DISABLE_COOKIES=ON -DCURL_DISABLE_ALTSVC=ON -DCURL_DISABLE_HSTS=ON -DCURL_DISABLE_DOH=ON
  -DCURL_DISABLE_NETRC=ON -DCURL_DISABLE_MIME=ON -DCURL_DISABLE_GETOPTIONS=ON
  -DCURL_DISABLE_PROGRESS_METER=ON -DENABLE_UNIX_SOCKETS=OFF -DENABLE_WEBSOCKETS=OFF
  # No optional library but zlib (gzip Content-Encoding).
  -DCURL_ZLIB=ON -DENABLE_ARES=OFF -DUSE_NGHTTP2=OFF -DUSE_NGTCP2=OFF -DUSE_QUICHE=OFF
  -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF
  -DCURL_USE_GSSAPI=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DCURL_DISABLE_LDAP=ON
  -DCURL_DISABLE_LDAPS=ON
  # TLS: mbedTLS only, static (explicit .a paths, or curl's exported target names the .so files).
  -DCURL_ENABLE_SSL=ON -DCURL_USE_OPENSSL=OFF -DCURL_USE_MBEDTLS=ON
  -DMBEDTLS_INCLUDE_DIRS=${MBEDTLS_INCLUDE_DIR}
  -DMBEDTLS_LIBRARY=${EDGECUR_MBEDTLS_STATIC}
  -DMBEDX509_LIBRARY=${EDGECUR_MBEDX509_STATIC}
  -DMBEDCRYPTO_LIBRARY=${EDGECUR_MBEDCRYPTO_STATIC}
  # The device's trust store, not the build machine's guess; no CA directory (mbedTLS would parse
  # every file in it at each handshake).
  -DCURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=OFF
)
if(CMAKE_TOOLCHAIN_FILE)
  list(APPEND curl_args -DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE})
endif()
if(CMAKE_CROSSCOMPILING)
  list(APPEND curl_args -DHAVE_POLL_FINE_EXITCODE=0 -DHAVE_POLL_FINE=1
       -DRANDOM_FILE=/dev/urandom)
endif()
if(CMAKE_C_COMPILER_LAUNCHER)
  list(APPEND curl_args -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
endif()

ec_build_source_package(curl "${curl_source_dir}" "${curl_prefix}" ${curl_args})

# curl's own package: CURL::libcurl with mbedTLS's .a files and ZLIB::ZLIB as its link interface.
find_package(CURL CONFIG REQUIRED PATHS "${curl_prefix}/lib/cmake/CURL" NO_DEFAULT_PATH)
if(CURL_VERSION VERSION_LESS 7.85)
  message(FATAL_ERROR "curl: ${CURL_VERSION} from ${curl_source_dir} is older than 7.85")
endif()
message(STATUS "curl: ${CURL_VERSION} on mbedTLS, static, from ${curl_source_dir}")
