# toolchains/deps/manifest.cmake - The build manifest: what went into the edgecur image.
#
# One line per library linked into edgecur: its upstream version, its exact Debian revision and
# where it came from (a Debian source package built here, Debian's binary package for the target,
# or the build machine's installed -dev package), and whether that was a fallback to an older
# revision than the signed index names (toolchains/deps/private-apt.sh says why that happens).
# Two devices' images can then be compared with diff, and a fallback is visible in the field.
#
#   ec_manifest_origin(<library> <tree> [NOTE <text>])
#                                            a fetch-source.sh or fetch-binary.sh tree (its .origin)
#   ec_manifest_package(<library> <package>) an installed Debian package of the build machine
#   ec_manifest_file(<library> <file>)       the installed Debian package that holds <file>
#   ec_manifest_write(<file> <cpp>)          writes the manifest, and <cpp> defining
#                                            ec::firmware::kBuildManifest with the same text
# Everything runs at configure time; the lines are kept in a global property in call order.
include_guard(GLOBAL)

# ec_manifest_add(<text>...): one line, its pieces joined (no ';': a CMake list would split it).
function(ec_manifest_add)
  list(JOIN ARGN "" line)
  string(REPLACE ";" "," line "${line}")
  set_property(GLOBAL APPEND PROPERTY EC_MANIFEST_LINES "${line}")
endfunction()

function(ec_manifest_origin library tree)
  cmake_parse_arguments(ARG "" "NOTE" "" ${ARGN})
  if(NOT EXISTS "${tree}.origin")
    message(FATAL_ERROR "${library}: no origin record ${tree}.origin (fetch it again: delete its "
                        ".tree stamp in ${EDGECUR_DEPS_CACHE})")
  endif()
  file(STRINGS "${tree}.origin" entries)
  foreach(key name version upstream kind arch from fallback newest skipped dsc_sha256 deb_sha256)
    set(${key} "")
  endforeach()
  # No ';' reaches a CMake list (fetch-source.sh writes none, but a list would split the line).
  list(TRANSFORM entries REPLACE ";" ",")
  foreach(entry IN LISTS entries)
    if(entry MATCHES "^([a-z_0-9]+)=(.*)$")
      set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
    endif()
  endforeach()
  if(kind STREQUAL "source")
    set(how "Debian source package ${name}, built here")
    set(hash "dsc sha256 ${dsc_sha256}")
  else()
    set(how "Debian binary package ${name}:${arch}")
    set(hash "deb sha256 ${deb_sha256}")
  endif()
  if(fallback STREQUAL "yes")
    string(APPEND how ", FALLBACK from ${newest} (${skipped})")
  endif()
  if(ARG_NOTE)
    string(APPEND how ", ${ARG_NOTE}")
  endif()
  ec_manifest_add("${library} ${upstream}: Debian ${version}, ${how} | from ${from} | ${hash}")
endfunction()

function(ec_manifest_package library package)
  execute_process(COMMAND dpkg-query -W -f=\${Version}\ \${Architecture} ${package}
                  OUTPUT_VARIABLE found RESULT_VARIABLE result ERROR_QUIET)
  if(NOT result EQUAL 0 OR NOT found MATCHES "^([^ ]+) (.+)$")
    ec_manifest_add("${library} ?: no installed Debian package ${package} (built elsewhere)")
    return()
  endif()
  set(version "${CMAKE_MATCH_1}")
  set(arch "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "^[0-9]+:" "" upstream "${version}")
  string(REGEX REPLACE "-[^-]+$" "" upstream "${upstream}")
  ec_manifest_add("${library} ${upstream}: Debian ${version}, installed package ${package}:${arch} "
                  "of the build machine")

endfunction()

function(ec_manifest_file library file)
  get_filename_component(real "${file}" REALPATH)
  # dpkg records the paths of its packages; merged /usr means a file may be listed under /lib.
  foreach(candidate "${real}" "${file}")
    string(REGEX REPLACE "^/usr/lib/" "/lib/" unmerged "${candidate}")
    foreach(path "${candidate}" "${unmerged}")
      execute_process(COMMAND dpkg-query -S "${path}" OUTPUT_VARIABLE owner RESULT_VARIABLE result
                      ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(result EQUAL 0 AND owner MATCHES "^([^:,]+)(:[^:,]+)?: ")
        ec_manifest_package(${library} "${CMAKE_MATCH_1}${CMAKE_MATCH_2}")
        return()
      endif()
    endforeach()
  endforeach()
  ec_manifest_add("${library} ?: ${file}, which no installed Debian package holds")
endfunction()

function(ec_manifest_write manifest_file cpp_file)
  get_property(lines GLOBAL PROPERTY EC_MANIFEST_LINES)
  if(CMAKE_TOOLCHAIN_FILE)
    get_filename_component(toolchain "${CMAKE_TOOLCHAIN_FILE}" NAME)
  else()
    set(toolchain "the host's")
  endif()
  set(text "edgecur ${PROJECT_VERSION} for ${CMAKE_SYSTEM_PROCESSOR} (toolchain ${toolchain}, "
           "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}, dependencies ${EDGECUR_DEPS}, "
           "libcurl ${EDGECUR_CURL})\n")
  list(JOIN text "" text)
  foreach(line IN LISTS lines)
    string(APPEND text "${line}\n")
  endforeach()
  file(CONFIGURE OUTPUT "${manifest_file}" CONTENT "${text}" @ONLY)
  # A raw string literal: the text has no ')"' (paths and versions only), and a delimiter keeps
  # it so whatever it holds.
  file(CONFIGURE OUTPUT "${cpp_file}" CONTENT "// Generated by toolchains/deps/manifest.cmake.
#include \"firmware/build_manifest.h\"

namespace ec::firmware {
const char kBuildManifest[] = R\"edgecur_manifest(${text})edgecur_manifest\";
} // namespace ec::firmware
" @ONLY)
  message(STATUS "build manifest: ${manifest_file}")
endfunction()
