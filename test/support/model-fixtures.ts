// Small generated model folders for tests that break or rewrite them: one random tiny BERT is
// generated per process (hidden 16, 1 layer, 2 heads, intermediate 32, 600 tokens) and each test gets
// its own copy. Safetensors files are rebuilt by hand (header JSON + data) so a test controls every byte.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initModel } from "../../src/generator/init-model.ts";
import { parseSafetensors } from "../../src/io/safetensors.ts";
import { temporaryDirectory } from "./temp.ts";

export const TINY_SIZES = { hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600 } as const;

let template: Promise<string> | undefined;

/** The folder of the generated tiny model (mean pooling + Normalize), made once per process. Do not modify it. */
export function tinyModelTemplate(): Promise<string> {
  template ??= (async () => {
    const out = join(temporaryDirectory("embedtune-fixture-"), "tiny");
    await initModel({ out, preset: "tiny", ...TINY_SIZES, seed: 7 });
    return out;
  })();
  return template;
}

/** A fresh copy of the tiny model folder that the caller may break. */
export async function freshTinyModel(): Promise<string> {
  const copy = join(temporaryDirectory("embedtune-broken-"), "model");
  cpSync(await tinyModelTemplate(), copy, { recursive: true });
  return copy;
}

export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Exactly the tensor's data bytes (a copy). */
  bytes: Uint8Array;
}

/** The tensors of a safetensors file, in header order, with copies of their bytes. */
export function readRawTensors(path: string): { tensors: RawTensor[]; metadata: Record<string, string> } {
  const buffer = readFileSync(path);
  const file = parseSafetensors(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
  const tensors = [...file.tensors.values()].map((entry) => ({
    name: entry.name,
    dtype: entry.dtype as string,
    shape: [...entry.shape],
    bytes: Uint8Array.from(entry.bytes),
  }));
  return { tensors, metadata: file.metadata };
}

/** u64 little-endian header length | header bytes | data bytes, nothing added. */
export function safetensorsBytes(header: string | Uint8Array, data: Uint8Array, declaredHeaderLength?: bigint): Uint8Array {
  const headerBytes = typeof header === "string" ? Buffer.from(header, "utf8") : header;
  const out = new Uint8Array(8 + headerBytes.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, declaredHeaderLength ?? BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.byteLength);
  return out;
}

/** A well-formed file: tensors laid out back to back in the given order, offsets computed. */
export function buildSafetensors(tensors: RawTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const tensor of tensors) {
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.byteLength] };
    offset += tensor.bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const tensor of tensors) {
    data.set(tensor.bytes, offset);
    offset += tensor.bytes.byteLength;
  }
  return safetensorsBytes(JSON.stringify(header), data);
}

/** Rewrites `folder`/model.safetensors with the tensors `change` returns (given the current ones). */
export function rewriteTensors(folder: string, change: (tensors: RawTensor[]) => RawTensor[]): void {
  const path = join(folder, "model.safetensors");
  const { tensors, metadata } = readRawTensors(path);
  writeFileSync(path, buildSafetensors(change(tensors), metadata));
}

export function float32Values(tensor: RawTensor): Float32Array {
  if (tensor.dtype !== "F32") throw new Error(`${tensor.name} is ${tensor.dtype}, not F32`);
  return new Float32Array(Uint8Array.from(tensor.bytes).buffer);
}

export function float32Tensor(name: string, shape: number[], values: Float32Array): RawTensor {
  return { name, dtype: "F32", shape, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

const scratch32 = new Float32Array(1);
const scratchBits = new Uint32Array(scratch32.buffer);

/** IEEE binary16 bits of a float32, rounded to nearest, ties to even (subnormals included). */
export function float32ToFloat16Bits(value: number): number {
  scratch32[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let half = Math.floor(full / 2 ** shift);
    const remainder = full % 2 ** shift;
    const halfway = 2 ** (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++; // a carry into the exponent is right
  return sign | half;
}

/** The value of binary16 bits (exact in float32). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits of a float32 (the top 16 bits), rounded to nearest, ties to even. */
export function float32ToBfloat16Bits(value: number): number {
  scratch32[0] = value;
  const bits = scratchBits[0];
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bfloat16BitsToNumber(bits: number): number {
  scratchBits[0] = (bits << 16) >>> 0;
  return scratch32[0];
}

/** An F32 tensor converted to F16 or BF16 (little-endian bits). */
export function toHalfTensor(tensor: RawTensor, dtype: "F16" | "BF16"): RawTensor {
  const values = float32Values(tensor);
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  const convert = dtype === "F16" ? float32ToFloat16Bits : float32ToBfloat16Bits;
  values.forEach((value, index) => view.setUint16(index * 2, convert(value), true));
  return { name: tensor.name, dtype, shape: tensor.shape, bytes };
}

/** An F32 tensor holding exactly the values `toHalfTensor(tensor, dtype)` encodes. */
export function roundedThroughHalf(tensor: RawTensor, dtype: "F16" | "BF16"): RawTensor {
  const values = float32Values(tensor);
  const toBits = dtype === "F16" ? float32ToFloat16Bits : float32ToBfloat16Bits;
  const fromBits = dtype === "F16" ? float16BitsToNumber : bfloat16BitsToNumber;
  return float32Tensor(tensor.name, tensor.shape, values.map((value) => fromBits(toBits(value))));
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
