# node-gyp project for grafo's optional native backend. Built by native/build.mjs
# (never by hand-written compiler flags): no -mavx512f or -march here, on
# purpose. The wide kernels carry their own target attributes and are chosen
# at run time, so this one binary runs on any x86-64 (and the scalar kernels
# on any other CPU).
{
  "targets": [
    {
      "target_name": "grafo_native",
      "sources": ["src/addon.cc", "src/kernels.cc", "src/pool.cc", "src/layout.cc", "src/select.cc"],
      "cflags": ["-O3", "-pthread", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      }
    }
  ]
}
