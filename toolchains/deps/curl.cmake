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
# on), takes the target's mbedTLS and zlib from target-deps.cmake (EDGECUR_DEPS=source), and
# pre-seeds the two checks curl's CMake cannot run when cross-compiling.

include(${CMAKE_CURRENT_LIST_DIR}/build-source-package.cmake)

if(EDGECUR_CURL STREQUAL "system")
  find_package(CURL 7.85) # CURLOPT_PROTOCOLS_STR
  if(NOT CURL_FOUND)
    message(FATAL_ERROR "libcurl >= 7.85 not found: apt-get install libcurl4-openssl-dev")
  endif()
  ec_manifest_package(libcurl libcurl4-openssl-dev)
  return()
elseif(NOT EDGECUR_CURL STREQUAL "mbedtls")
  message(FATAL_ERROR "EDGECUR_CURL must be system or mbedtls, not '${EDGECUR_CURL}'")
endif()

# ---- mbedTLS: Debian's static libraries (libmbedtls-dev ships them) --------------------------
foreach(library mbedtls mbedx509 mbedcrypto)
  string(TOUPPER "EDGECUR_${library}_STATIC" variable)
  find_library(${variable} NAMES lib${library}.a)
  if(NOT ${variable} AND CMAKE_CROSSCOMPILING)
    # Debian's multiarch mbedTLS is not installable here (CROSS.md): EDGECUR_DEPS=source
    # (target-deps.cmake) builds Debian's mbedtls source with the toolchain and sets these.
    message(FATAL_ERROR "lib${library}.a for ${CMAKE_SYSTEM_PROCESSOR} not found: configure "
                        "with -DEDGECUR_DEPS=source or set ${variable}")
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
  # The host presets need this too (EDGECUR_CURL=mbedtls is every preset's default): say how to
  # build without the mirror's source files.
  message(FATAL_ERROR "curl: could not fetch Debian's curl source package (see above).\n"
    "To build a host preset without it, against Debian's installed libcurl (OpenSSL, shared: "
    "apt-get install libcurl4-openssl-dev), configure with -DEDGECUR_CURL=system, e.g.\n"
    "  cmake --preset release -DEDGECUR_CURL=system\n"
    "The firmware presets (aarch64, armhf, x86_64) need the source: check the Debian mirror in "
    "the system's apt sources, or point EDGECUR_DEPS_CACHE at a cache that holds it.")
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
if(EDGECUR_DEPS STREQUAL "source") # target-deps.cmake's zlib, not one found in the sysroot
  list(APPEND curl_args -DZLIB_INCLUDE_DIR=${ZLIB_INCLUDE_DIR} -DZLIB_LIBRARY=${ZLIB_LIBRARY})
endif()
if(CMAKE_CROSSCOMPILING)
  list(APPEND curl_args -DHAVE_POLL_FINE_EXITCODE=0 -DHAVE_POLL_FINE=1
       -DRANDOM_FILE=/dev/urandom)
endif()
if(CMAKE_C_COMPILER_LAUNCHER)
  list(APPEND curl_args -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
endif()

ec_manifest_origin(libcurl "${curl_source_dir}")
ec_build_source_package(curl "${curl_source_dir}" "${curl_prefix}" ${curl_args})

# curl's own package: CURL::libcurl with mbedTLS's .a files and ZLIB::ZLIB as its link interface.
# NO_CMAKE_FIND_ROOT_PATH: our own prefix, not to be re-rooted into a cross sysroot.
find_package(CURL CONFIG REQUIRED PATHS "${curl_prefix}/lib/cmake/CURL" NO_DEFAULT_PATH
             NO_CMAKE_FIND_ROOT_PATH)
if(CURL_VERSION VERSION_LESS 7.85)
  message(FATAL_ERROR "curl: ${CURL_VERSION} from ${curl_source_dir} is older than 7.85")
endif()
message(STATUS "curl: ${CURL_VERSION} on mbedTLS, static, from ${curl_source_dir}")
