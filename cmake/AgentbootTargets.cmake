# Shared target helpers: one warnings interface for agentboot's own code (never third-party code),
# sanitizer flags, and small wrappers that keep every module's CMakeLists to a few lines.

# Warnings are errors in the test command and CI (tests/run.sh turns AGENTBOOT_WERROR on); a user's
# own build (any compiler version, any -O level) only shows them: GCC 12 at -O3 reports a false
# -Wrestrict inside libstdc++'s std::string, and that must not stop a plain Release build.
add_library(agentboot_flags INTERFACE)
target_compile_options(agentboot_flags INTERFACE
  -Wall -Wextra -Wpedantic $<$<BOOL:${AGENTBOOT_WERROR}>:-Werror> -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough -Wcast-qual -Wformat=2)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(agentboot_flags INTERFACE -Wthread-safety)
endif()

if(AGENTBOOT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(AGENTBOOT_TSAN)
  if(AGENTBOOT_SANITIZE)
    message(FATAL_ERROR "AGENTBOOT_TSAN and AGENTBOOT_SANITIZE cannot be combined (one sanitizer runtime)")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# The libFuzzer build (clang only; tests/fuzz): every library gets the fuzzer's coverage
# instrumentation and AddressSanitizer, so the fuzz targets explore the parsers themselves.
option(AGENTBOOT_FUZZ "Build libFuzzer binaries (clang only)" OFF)
if(AGENTBOOT_FUZZ AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options(-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address)
endif()

# agentboot_module(NAME SOURCES ... DEPS ...): library agentboot_<name>, alias agentboot::<name>,
# exporting only its own include/ directory. DEPS is the whole list of what it may use.
function(agentboot_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(agentboot_${name} STATIC ${ARG_SOURCES})
  add_library(agentboot::${name} ALIAS agentboot_${name})
  target_include_directories(agentboot_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(agentboot_${name} PUBLIC ${ARG_DEPS} PRIVATE agentboot_flags)
endfunction()

# agentboot_testing(NAME SOURCES ... DEPS ...): fakes for a module's seams (test builds only).
function(agentboot_testing name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(agentboot_${name}_testing STATIC ${ARG_SOURCES})
  add_library(agentboot::${name}_testing ALIAS agentboot_${name}_testing)
  target_include_directories(agentboot_${name}_testing PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/testing)
  target_link_libraries(agentboot_${name}_testing PUBLIC agentboot::${name} ${ARG_DEPS}
    PRIVATE agentboot_flags)
endfunction()

# agentboot_unit_test(NAME SOURCES ... DEPS ...): one GoogleTest binary, registered with CTest.
function(agentboot_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main agentboot_flags)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
