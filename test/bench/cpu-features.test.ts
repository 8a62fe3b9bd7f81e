// The SIMD level and MLAS's float32 SGEMM kernel read from /proc/cpuinfo flags, on flags lines of
// real CPUs (this AMD EPYC Zen 5 verbatim; the others cut to the vector flags) against the levels
// and kernels worked out by hand from MLAS_PLATFORM's dispatch (onnxruntime v1.21.0 platform.cpp).

import assert from "node:assert/strict";
import { test } from "node:test";
import { describeCpuFeatures } from "../../bench/cpu-features.ts";

const cpuinfo = (flags: string) => `processor\t: 0\nvendor_id\t: X\nflags\t\t: ${flags}\nbugs\t\t: none\n\nprocessor\t: 1\nflags\t\t: fpu\n`;

const EPYC_ZEN5 =
  "fpu vme de pse tsc msr pae mce cx8 apic sep pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext lm constant_tsc rep_good nopl xtopology tsc_reliable nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cr8_legacy misalignsse 3dnowprefetch topoext pti        vmmcall bmi1 avx2 bmi2 erms avx512f avx512dq adx avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 avx_vnni avx512_bf16 clzero xsaveerptr arat avx512vbmi avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq movdiri movdir64b fsrm avx512_vp2intersect";
const SAPPHIRE_RAPIDS =
  "fpu sse sse2 ssse3 fma sse4_1 sse4_2 xsave avx f16c avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx_vnni avx512_bf16 avx512_vnni avx512_fp16 amx_bf16 amx_tile amx_int8";
const HASWELL = "fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 xsave avx f16c avx2 bmi1 bmi2";
const SANDY_BRIDGE = "fpu sse sse2 ssse3 cx16 sse4_1 sse4_2 popcnt xsave avx";
const PENRYN = "fpu sse sse2 ssse3 cx16 sse4_1";
// AVX-512F listed but AVX2 missing: MLAS tests AVX-512F only inside its AVX2/FMA branch.
const AVX512_WITHOUT_AVX2 = "sse sse2 sse4_1 avx avx512f";

test("the SIMD level names the widest vector set, its AVX-512 extensions, AVX-VNNI and AMX", () => {
  assert.equal(describeCpuFeatures(cpuinfo(EPYC_ZEN5)).simd, "AVX-512F +BW +DQ +VL +VNNI +BF16, AVX-VNNI; no AMX");
  assert.equal(describeCpuFeatures(cpuinfo(SAPPHIRE_RAPIDS)).simd, "AVX-512F +BW +DQ +VL +VNNI +BF16, AVX-VNNI; AMX-TILE AMX-BF16 AMX-INT8");
  assert.equal(describeCpuFeatures(cpuinfo(HASWELL)).simd, "AVX2+FMA; no AMX");
  assert.equal(describeCpuFeatures(cpuinfo(SANDY_BRIDGE)).simd, "AVX; no AMX");
  assert.equal(describeCpuFeatures(cpuinfo(PENRYN)).simd, "SSE4.1; no AMX");
});

test("MLAS's float32 SGEMM kernel follows the nested CPUID tests, and AMX is never used for float32", () => {
  assert.equal(describeCpuFeatures(cpuinfo(EPYC_ZEN5)).mlasSgemm, "Avx512F");
  assert.equal(describeCpuFeatures(cpuinfo(SAPPHIRE_RAPIDS)).mlasSgemm, "Avx512F (AMX present, used by MLAS only for int8 GEMM, not float32)");
  assert.equal(describeCpuFeatures(cpuinfo(HASWELL)).mlasSgemm, "Fma3");
  assert.equal(describeCpuFeatures(cpuinfo(SANDY_BRIDGE)).mlasSgemm, "Avx");
  assert.equal(describeCpuFeatures(cpuinfo(PENRYN)).mlasSgemm, "Sse");
  assert.equal(describeCpuFeatures(cpuinfo(AVX512_WITHOUT_AVX2)).mlasSgemm, "Avx");
});

test("without /proc/cpuinfo, or without an x86 flags line, both are unknown", () => {
  assert.deepEqual(describeCpuFeatures(undefined), { simd: "unknown (no /proc/cpuinfo)", mlasSgemm: "unknown (no /proc/cpuinfo)" });
  const arm64 = "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm\n";
  assert.deepEqual(describeCpuFeatures(arm64), { simd: "unknown (no x86 flags line in /proc/cpuinfo)", mlasSgemm: "unknown (not x86)" });
});
