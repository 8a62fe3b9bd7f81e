// The x86 SIMD level of the CPU, from the flags line of /proc/cpuinfo, and the float32 SGEMM kernel
// onnxruntime's MLAS dispatches to on it (the GEMMs dominate a training step), so that figures from
// machines with other CPUs can be compared.
//
// MLAS's choice for onnxruntime-node 1.21.0: onnxruntime/core/mlas/lib/platform.cpp, MLAS_PLATFORM's
// constructor (tag v1.21.0; the lines below were read in that file before it, ~v1.17, and after it,
// 2025 main, and are identical in both; AMD and Intel are not told apart):
//   GemmFloatKernel = MlasGemmFloatKernelSse        (x86-64 baseline)
//   CPUID.1:ECX AVX+OSXSAVE and XCR0 saves SSE/AVX state        → MlasGemmFloatKernelAvx
//   inside that, CPUID.1:ECX FMA and CPUID.7:EBX AVX2            → MlasGemmFloatKernelFma3
//   inside that, CPUID.7:EBX AVX512F and XCR0 saves opmask/ZMM   → MlasGemmFloatKernelAvx512F
// (the AVX-512F test is nested in the AVX2/FMA one, and AVX-512 is only compiled out in
// ORT_MINIMAL_BUILD, which onnxruntime-node is not). AMX is used only by the int8 GEMM
// (GemmU8S8Dispatch = MlasGemmU8S8DispatchAmx with AMX-TILE+AMX-INT8); AMX-BF16 is not used, so
// float32 never runs on AMX. AVX-VNNI and AVX512-VNNI/BW/DQ/VL select int8 kernels only. Linux lists
// avx / avx512f in /proc/cpuinfo only when the kernel saves their register state (the XCR0 tests).

export interface CpuFeatures {
  /** e.g. "AVX-512F +BW +DQ +VL +VNNI +BF16, AVX-VNNI; no AMX". */
  simd: string;
  /** e.g. "Avx512F"; says when AMX is present but not used for float32. */
  mlasSgemm: string;
}

/** The first "flags" line of /proc/cpuinfo as a set; undefined where there is none (not x86). */
export function cpuFlags(cpuinfo: string): Set<string> | undefined {
  const line = cpuinfo.split("\n").find((l) => /^flags\s*:/.test(l));
  return line === undefined ? undefined : new Set(line.slice(line.indexOf(":") + 1).trim().split(/\s+/));
}

const AVX512_EXTENSIONS: [flag: string, name: string][] = [
  ["avx512bw", "BW"],
  ["avx512dq", "DQ"],
  ["avx512vl", "VL"],
  ["avx512_vnni", "VNNI"],
  ["avx512_bf16", "BF16"],
];

const AMX_UNITS: [flag: string, name: string][] = [
  ["amx_tile", "AMX-TILE"],
  ["amx_bf16", "AMX-BF16"],
  ["amx_int8", "AMX-INT8"],
];

/** The highest vector level with its AVX-512 extensions, AVX-VNNI and the AMX units. */
export function simdLevel(flags: ReadonlySet<string>): string {
  let level: string;
  if (flags.has("avx512f")) {
    level = ["AVX-512F", ...AVX512_EXTENSIONS.filter(([flag]) => flags.has(flag)).map(([, name]) => `+${name}`)].join(" ");
  } else if (flags.has("avx2")) level = flags.has("fma") ? "AVX2+FMA" : "AVX2 (no FMA)";
  else if (flags.has("avx")) level = "AVX";
  else if (flags.has("sse4_1")) level = "SSE4.1";
  else level = "SSE2 (nothing newer)";
  if (flags.has("avx_vnni")) level += ", AVX-VNNI";
  const amx = AMX_UNITS.filter(([flag]) => flags.has(flag)).map(([, name]) => name);
  return `${level}; ${amx.length > 0 ? amx.join(" ") : "no AMX"}`;
}

/** The kernel MLAS_PLATFORM sets as GemmFloatKernel for these flags (see the opening comment). */
export function mlasSgemmKernel(flags: ReadonlySet<string>): string {
  let kernel = "Sse";
  if (flags.has("avx")) {
    kernel = "Avx";
    if (flags.has("fma") && flags.has("avx2")) kernel = flags.has("avx512f") ? "Avx512F" : "Fma3";
  }
  return flags.has("amx_tile") ? `${kernel} (AMX present, used by MLAS only for int8 GEMM, not float32)` : kernel;
}

/** Both descriptions from the text of /proc/cpuinfo (undefined where the file does not exist). */
export function describeCpuFeatures(cpuinfo: string | undefined): CpuFeatures {
  if (cpuinfo === undefined) return { simd: "unknown (no /proc/cpuinfo)", mlasSgemm: "unknown (no /proc/cpuinfo)" };
  const flags = cpuFlags(cpuinfo);
  if (flags === undefined) return { simd: "unknown (no x86 flags line in /proc/cpuinfo)", mlasSgemm: "unknown (not x86)" };
  return { simd: simdLevel(flags), mlasSgemm: mlasSgemmKernel(flags) };
}
