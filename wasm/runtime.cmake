# The runtime module for the npm package (included by CMakeLists.txt under emcmake).
# ES module build (.mjs + .wasm); in Node the loader passes the wasm bytes itself
# (TOOLCHAIN.md 4) and installs ws / xhr2 as WebSocket / XMLHttpRequest.
# DYNAMIC_EXECUTION=0: no eval / new Function in the glue, so pages can run it
# under script-src 'self' 'wasm-unsafe-eval'.
file(GLOB PLATFORM_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/wasm/platform/*.cpp)
list(FILTER PLATFORM_SOURCES EXCLUDE REGEX "number_text_js[.]cpp$")  # part of ssot_core here
add_executable(ssot_runtime ${CMAKE_SOURCE_DIR}/wasm/bindings.cpp ${PLATFORM_SOURCES})
target_link_libraries(ssot_runtime PRIVATE ssot_core)
target_include_directories(ssot_runtime PRIVATE ${CMAKE_SOURCE_DIR}/wasm)
set_target_properties(ssot_runtime PROPERTIES SUFFIX ".mjs")

# Size first (README "Size", tests/package/size.test.js), each flag measured on its
# own: -Oz 102 -> 82 KB gzip of wasm (at a price: the core runs at 0.41x its -O2
# speed, the runtime about 30% slower through the JS API), -flto -5 KB on top,
# -sMALLOC=emmalloc -2 KB, no RTTI or exceptions -1 KB (the core returns errors as
# values; nothing uses typeid or dynamic_cast), -sTEXTDECODER=2 -0.2 KB of glue
# (every target has TextDecoder), -sSUPPORT_ERRNO=0 -16 B (nothing reads errno). The
# core library is compiled the same way, so the wasm benchmark measures what ships.
set(RUNTIME_COMPILE_FLAGS -Oz -flto -fno-rtti -fno-exceptions)
target_compile_options(ssot_core PRIVATE ${RUNTIME_COMPILE_FLAGS})
target_compile_options(ssot_runtime PRIVATE ${RUNTIME_COMPILE_FLAGS})

# runtime_api.js (--post-js) is Module.Runtime, the JS face of bindings.cpp.
set(RUNTIME_API ${CMAKE_SOURCE_DIR}/wasm/runtime_api.js)
set_target_properties(ssot_runtime PROPERTIES LINK_DEPENDS ${RUNTIME_API})
target_link_options(ssot_runtime PRIVATE
  -Oz -flto -sMALLOC=emmalloc -sTEXTDECODER=2 -sSUPPORT_ERRNO=0
  --post-js ${RUNTIME_API} -lwebsocket.js -sFETCH=1 -sFETCH_SUPPORT_INDEXEDDB=0
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createSsotModule -sENVIRONMENT=web
  -sALLOW_MEMORY_GROWTH=1 -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0 -sEXPORTED_RUNTIME_METHODS=[HEAPU8]
  -sEXPORTED_FUNCTIONS=[_malloc,_free,_ssot_feed_frame]
  -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile,print,printErr])

# A second wasm-opt pass on what ships (README "Size"): every function of up to 8
# instructions inlined (-aimfs 8; -Oz's default is 2), then similar functions merged.
# libc++'s string, map and vector accessors are that small and stay calls at -Oz: the
# engine runs 1.5x as fast for 0.4 KB gzip. ssot_bench is linked and passed the same
# way, so the wasm benchmark measures the engine that ships. Then, twice, the control
# flow flattened and rebuilt (--flatten --rereloop) and shrunk again: -487 B gzip, the
# same speed in paired ssot_bench runs, and the wasm Catch2 suite passes through it.
# A build configured with -DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs keeps its function
# names through the pass (-g; bench/README "Profiling").
find_program(WASM_OPT wasm-opt REQUIRED)
set(WASM_OPT_NAMES "")
if(CMAKE_EXE_LINKER_FLAGS MATCHES "--profiling")
  set(WASM_OPT_NAMES -g)
endif()
target_link_options(ssot_bench PRIVATE -Oz -flto)

# bench/frame_scan.cpp: the least per-frame work of an engine on text frames
# (bench/js/runtime_floor.js), with the shipped scanner and the shipped flags.
add_executable(ssot_frame_scan ${CMAKE_SOURCE_DIR}/bench/frame_scan.cpp)
target_link_libraries(ssot_frame_scan PRIVATE ssot_core)
target_compile_options(ssot_frame_scan PRIVATE ${RUNTIME_COMPILE_FLAGS})
set_target_properties(ssot_frame_scan PROPERTIES SUFFIX ".mjs")
target_link_options(ssot_frame_scan PRIVATE -Oz -flto -sMALLOC=emmalloc
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sENVIRONMENT=web -sFILESYSTEM=0 -sEXPORTED_RUNTIME_METHODS=[HEAPU8]
  -sEXPORTED_FUNCTIONS=[_malloc,_free,_ssot_frame_valid,_ssot_frame_scan])
foreach(t ssot_runtime ssot_bench ssot_frame_scan)
  add_custom_command(TARGET ${t} POST_BUILD
    COMMAND ${WASM_OPT} ${WASM_OPT_NAMES} -Oz -aimfs 8 --merge-similar-functions -Oz
            $<TARGET_FILE_DIR:${t}>/${t}.wasm -o $<TARGET_FILE_DIR:${t}>/${t}.wasm
    COMMAND ${WASM_OPT} ${WASM_OPT_NAMES} --flatten --rereloop -Oz -Oz --flatten --rereloop -Oz -Oz
            $<TARGET_FILE_DIR:${t}>/${t}.wasm -o $<TARGET_FILE_DIR:${t}>/${t}.wasm)
endforeach()
