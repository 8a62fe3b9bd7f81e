// mulberry32 dropout draws, four lanes at a time in WebAssembly SIMD: 0.7 ns per element against 3–11 ns
// for the scalar JavaScript loop (measured on the 2-core EPYC, 246k/307k elements; int32-only rewrites
// of the loop were no faster, and V8 does not vectorise it). mulberry32's state is a counter — the
// state before draw i is seed + (i + 1)·0x6d2b79f5 (mod 2³²) — so lanes are independent: lane k of
// step j mixes state seed + (4j + k + 1)·0x6d2b79f5 and stores, as float bits,
//   keepBits if the draw's u32 ≥ threshold, else 0   (draw < p  ⟺  u32 < ceil(p · 2³²)).
// The kernel is the ~60 instructions listed below, assembled here (no tool needed); each call fills
// the module's one 64 KiB page (CHUNK elements, copied out), so its memory never grows.

/** Elements per kernel call: one WebAssembly page of float32s. */
const CHUNK = 16384;

const STEP = 0x6d2b79f5;

const unsigned = (n: number): number[] => (n < 0x80 ? [n] : [n & 0x7f | 0x80, ...unsigned(n >> 7)]); // LEB128
const i32x4 = (a: number, b = a, c = a, d = a) => [...new Uint8Array(new Int32Array([a, b, c, d]).buffer)];
const op = {
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41, i32Add: 0x6a, i32Ne: 0x47, brIf: 0x0d, loop: 0x03, void: 0x40, end: 0x0b,
  v128Store: [0xfd, 0x0b, 4, 0], v128Const: [0xfd, 0x0c], i32x4Splat: [0xfd, 0x11], i32x4LtU: [0xfd, 0x3a],
  v128AndNot: [0xfd, 0x4f], v128Or: [0xfd, 0x50], v128Xor: [0xfd, 0x51],
  i32x4ShrU: [0xfd, ...unsigned(0xad)], i32x4Add: [0xfd, ...unsigned(0xae)], i32x4Mul: [0xfd, ...unsigned(0xb5)],
};

// fill(endByte, seed, threshold, keepBits): params 0–3; locals 4 = address, 5 = state, 6 = t, 7 = threshold lanes, 8 = keep lanes.
const [END, SEED, THRESHOLD, KEEP, ADDRESS, STATE, T, THRESHOLDS, KEEPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const shiftXor = (local: number, shift: number) => [op.localGet, local, op.localGet, local, op.i32Const, shift, ...op.i32x4ShrU, ...op.v128Xor]; // t ^ (t >>> shift)
const body = [
  2, 1, 0x7f, 4, 0x7b, // locals: 1 i32, 4 v128
  op.localGet, SEED, ...op.i32x4Splat, ...op.v128Const, ...i32x4(STEP, 2 * STEP, 3 * STEP, 4 * STEP), ...op.i32x4Add, op.localSet, STATE,
  op.localGet, THRESHOLD, ...op.i32x4Splat, op.localSet, THRESHOLDS,
  op.localGet, KEEP, ...op.i32x4Splat, op.localSet, KEEPS,
  op.loop, op.void,
  op.localGet, ADDRESS, op.localGet, KEEPS, // store address, keep lanes (operands of the store and of andnot)
  ...shiftXor(STATE, 15), op.localGet, STATE, ...op.v128Const, ...i32x4(1), ...op.v128Or, ...op.i32x4Mul, op.localSet, T, // t = imul(s ^ s >>> 15, s | 1)
  op.localGet, T, ...shiftXor(T, 7), op.localGet, T, ...op.v128Const, ...i32x4(61), ...op.v128Or, ...op.i32x4Mul, // imul(t ^ t >>> 7, t | 61)
  op.localGet, T, ...op.i32x4Add, ...op.v128Xor, op.localSet, T, //                                             t ^= t + that
  ...shiftXor(T, 14), op.localGet, THRESHOLDS, ...op.i32x4LtU, //                                                dropped = (t ^ t >>> 14) <u threshold
  ...op.v128AndNot, ...op.v128Store, //                                                                          store keep & ~dropped
  op.localGet, STATE, ...op.v128Const, ...i32x4(4 * STEP), ...op.i32x4Add, op.localSet, STATE, //               state += 4·step
  op.localGet, ADDRESS, op.i32Const, 16, op.i32Add, op.localTee, ADDRESS, op.localGet, END, op.i32Ne, op.brIf, 0, // until address = end
  op.end,
  op.end,
];

const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
const name = (text: string) => [text.length, ...new TextEncoder().encode(text)];
const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
  ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // type 0: (i32, i32, i32, i32) → ()
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0, 1]), // memory 0: one page
  ...section(7, [2, ...name("memory"), 2, 0, ...name("fill"), 0, 0]), // exports
  ...section(10, [1, ...unsigned(body.length), ...body]),
]);

let kernel: { fill(endByte: number, seed: number, threshold: number, keepBits: number): void; memory: WebAssembly.Memory } | undefined;

/**
 * Fills `out` with draws 0 … out.length − 1 of mulberry32(seed) turned into dropout values: 0 where the
 * draw's u32 < threshold, else the float whose bits are keepBits (seed, threshold and keepBits as int32;
 * threshold is read unsigned).
 */
export function fillDropoutDraws(out: Float32Array, seed: number, threshold: number, keepBits: number): void {
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(moduleBytes)).exports as unknown as NonNullable<typeof kernel>;
  const page = new Float32Array(kernel.memory.buffer, 0, CHUNK);
  for (let start = 0; start < out.length; start += CHUNK) {
    const count = Math.min(CHUNK, out.length - start);
    kernel.fill(Math.ceil(count / 4) * 16, (seed + Math.imul(start, STEP)) | 0, threshold, keepBits);
    out.set(count === CHUNK ? page : page.subarray(0, count), start);
  }
}
