{
  "targets": [
    {
      "target_name": "ds01_events",
      "sources": ["native/append.cc", "native/binding.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE", "DS01_SOURCE_HASH=\"<!(node native/source-hash.js)\""],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags": ["-Wall", "-Wextra", "-fno-exceptions"],
      "cflags_cc": ["-Wall", "-Wextra", "-fno-exceptions", "-std=c++17"],
      "ldflags": ["-Wl,--as-needed"]
    }
  ]
}
