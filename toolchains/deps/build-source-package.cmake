# toolchains/deps/build-source-package.cmake - ec_build_source_package() and the source cache.
#
# Shared by curl.cmake and target-deps.cmake: where Debian source packages are unpacked
# (EDGECUR_DEPS_CACHE, fetch-source.sh) and how a CMake project is built into a prefix at
# configure time.
include_guard(GLOBAL)

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
  if(CMAKE_TOOLCHAIN_FILE) # a changed toolchain file (flags) rebuilds: hash its folder's files
    get_filename_component(toolchain_dir "${CMAKE_TOOLCHAIN_FILE}" DIRECTORY)
    file(GLOB toolchain_files "${toolchain_dir}/*.cmake")
    foreach(file IN LISTS toolchain_files)
      file(SHA256 "${file}" file_hash)
      string(APPEND compiler " ${file_hash}")
    endforeach()
  endif()
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
