{
  "targets": [
    {
      "target_name": "retina_native",
      "sources": [
        "src/addon.cc",
        "src/scratch.cc",
        "src/tensor_ops.cc",
        "src/conv_scalar.cc",
        "src/conv_avx2.cc",
        "src/conv_avx512.cc"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
    }
  ]
}
