// Reader and writer for the safetensors format: u64 little-endian header length N | N bytes of UTF-8
// JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}} |
// raw little-endian tensor bytes (offsets relative to the byte after the header). Malformed input throws
// SafetensorsError with a one-line message (a header that is not JSON is described by position, never
// quoted); we write F32 only, padded and sorted like the Python library.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { ArgumentError, SafetensorsError } from "../errors.ts";
import { parseJsonText } from "./json-error.ts";

export type SafetensorsDtype =
  | "F64"
  | "F32"
  | "F16"
  | "BF16"
  | "I64"
  | "I32"
  | "I16"
  | "I8"
  | "U8"
  | "U16"
  | "U32"
  | "U64"
  | "BOOL"
  | "F8_E4M3"
  | "F8_E5M2";

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** A view into the file's buffer (no copy); may start at any byte offset. */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  path: string;
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsEntry>;
}

const bytesPerElement: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  U16: 2,
  U32: 4,
  U64: 8,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** The Python library refuses headers above this size; a larger length means a corrupt file. */
const maximumHeaderLength = 100_000_000;
const headerLengthBytes = 8;
const metadataKey = "__metadata__";
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses a whole safetensors file held in memory; entries are views into `buffer`. */
export function parseSafetensors(buffer: Uint8Array, fileLabel: string): SafetensorsFile {
  const fail: (detail: string) => never = (detail) => {
    throw new SafetensorsError(fileLabel, detail);
  };
  if (buffer.byteLength < headerLengthBytes) {
    fail(`truncated: ${buffer.byteLength} bytes, a safetensors file starts with an 8-byte header length`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const declaredHeaderLength = view.getBigUint64(0, true);
  if (declaredHeaderLength > BigInt(maximumHeaderLength)) {
    fail(
      `header length ${declaredHeaderLength} exceeds the ${maximumHeaderLength}-byte limit; ` +
        `the file is corrupt or not safetensors`,
    );
  }
  const headerLength = Number(declaredHeaderLength);
  if (headerLengthBytes + headerLength > buffer.byteLength) {
    fail(`header length ${headerLength} runs past the end of the file (${buffer.byteLength} bytes)`);
  }

  const header = decodeHeader(buffer.subarray(headerLengthBytes, headerLengthBytes + headerLength), fail);
  const dataStart = headerLengthBytes + headerLength;
  const dataLength = buffer.byteLength - dataStart;

  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsEntry>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === metadataKey) {
      metadata = parseMetadata(value, fail);
      continue;
    }
    const tensor = `tensor ${quoteName(name)}`;
    if (!isPlainObject(value)) {
      fail(`${tensor} is ${describeValue(value)}, expected an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== "string") {
      fail(`${tensor} has dtype ${describeValue(dtype)}, expected a string such as "F32"`);
    }
    if (!isDtype(dtype)) {
      fail(`${tensor} has unsupported dtype ${quoteName(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      fail(`${tensor} has shape ${describeValue(shape)}, expected a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isNonNegativeInteger) ||
      offsets[0] > offsets[1]
    ) {
      fail(`${tensor} has data_offsets ${describeValue(offsets)}, expected [begin, end] with integers 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    const expectedLength = elementCount(shape) * bytesPerElement[dtype];
    if (!Number.isSafeInteger(expectedLength)) {
      fail(`${tensor} has shape ${JSON.stringify(shape)}, too many elements to address`);
    }
    if (end - begin !== expectedLength) {
      fail(
        `${tensor} data_offsets [${begin},${end}] hold ${end - begin} bytes, ` +
          `but dtype ${dtype} with shape ${JSON.stringify(shape)} needs ${expectedLength}`,
      );
    }
    if (end > dataLength) {
      fail(`${tensor} data_offsets [${begin},${end}] lie outside the ${dataLength} data bytes`);
    }
    ranges.push({ name, begin, end });
    tensors.set(name, {
      name,
      dtype,
      shape,
      bytes: buffer.subarray(dataStart + begin, dataStart + end),
    });
  }
  checkNoOverlap(ranges, fail);
  return { path: fileLabel, metadata, tensors };
}

/** Reads and parses the safetensors file at `path`. */
export function readSafetensors(path: string): SafetensorsFile {
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch (error) {
    throw new SafetensorsError(path, `cannot read: ${readFailureReason(error)}`);
  }
  return parseSafetensors(new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength), path);
}

/** Converts an F32, F16, BF16 or F64 tensor into a fresh Float32Array (F64 rounds to nearest). */
export function toFloat32(entry: SafetensorsEntry, fileLabel: string): Float32Array {
  const tensor = `tensor ${quoteName(entry.name)}`;
  if (!["F32", "F16", "BF16", "F64"].includes(entry.dtype)) {
    throw new SafetensorsError(
      fileLabel,
      `${tensor} has dtype ${quoteName(entry.dtype)}; embedtune reads F32, F16, BF16 and F64 weights`,
    );
  }
  const count = elementCount(entry.shape);
  const expectedLength = count * bytesPerElement[entry.dtype];
  if (entry.bytes.byteLength !== expectedLength) {
    throw new SafetensorsError(
      fileLabel,
      `${tensor} has ${entry.bytes.byteLength} bytes, but dtype ${entry.dtype} with shape ` +
        `${JSON.stringify(entry.shape)} needs ${expectedLength}`,
    );
  }
  const { bytes } = entry;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = new Float32Array(count);
  switch (entry.dtype) {
    case "F32":
      if (hostIsLittleEndian) {
        // Copying byte by byte into the fresh, aligned result works whatever the source offset is.
        new Uint8Array(result.buffer).set(bytes);
      } else {
        for (let index = 0; index < count; index++) result[index] = view.getFloat32(index * 4, true);
      }
      break;
    case "F16":
      for (let index = 0; index < count; index++) result[index] = halfToFloat(view.getUint16(index * 2, true));
      break;
    case "BF16": {
      const resultBits = new Uint32Array(result.buffer);
      for (let index = 0; index < count; index++) resultBits[index] = view.getUint16(index * 2, true) << 16;
      break;
    }
    case "F64":
      for (let index = 0; index < count; index++) result[index] = view.getFloat64(index * 8, true);
      break;
  }
  return result;
}

/**
 * Writes F32 tensors as a safetensors file at `path`, sorted by name (byte order), with the header
 * padded by spaces so the data starts on an 8-byte boundary; "__metadata__" only when given.
 */
export function writeSafetensors(
  path: string,
  tensors: Iterable<{ name: string; shape: number[]; values: Float32Array }>,
  metadata?: Record<string, string>,
): void {
  const sorted = [...tensors].sort((left, right) => Buffer.compare(Buffer.from(left.name), Buffer.from(right.name)));
  // No prototype, so a tensor called "__proto__" is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new ArgumentError("metadata", `value of ${quoteName(key)} is ${describeValue(value)}, expected a string`);
      }
    }
    header[metadataKey] = metadata;
  }
  let offset = 0;
  for (const { name, shape, values } of sorted) {
    const tensor = `tensor ${quoteName(name)}`;
    if (name === metadataKey) throw new ArgumentError(tensor, `the name ${metadataKey} is reserved`);
    if (Object.hasOwn(header, name)) throw new ArgumentError(tensor, "appears twice");
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw new ArgumentError(tensor, `shape ${describeValue(shape)} is not a list of non-negative integers`);
    }
    if (values.length !== elementCount(shape)) {
      throw new ArgumentError(tensor, `has ${values.length} values, but shape ${JSON.stringify(shape)} holds ${elementCount(shape)}`);
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }

  const headerJson = JSON.stringify(header);
  const unpaddedLength = Buffer.byteLength(headerJson, "utf8");
  const paddedLength = Math.ceil(unpaddedLength / 8) * 8;
  const prefix = Buffer.alloc(headerLengthBytes + paddedLength, " ");
  prefix.writeBigUInt64LE(BigInt(paddedLength), 0);
  prefix.write(headerJson, headerLengthBytes, "utf8");

  const descriptor = openSync(path, "w");
  try {
    writeAll(descriptor, prefix);
    for (const { values } of sorted) writeAll(descriptor, littleEndianBytes(values));
  } finally {
    closeSync(descriptor);
  }
}

function decodeHeader(headerBytes: Uint8Array, fail: (detail: string) => never): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    return fail(`header (${headerBytes.byteLength} bytes) is not valid UTF-8`);
  }
  const result = parseJsonText(text);
  // Never V8's message: it quotes the header text.
  if (!result.ok) return fail(`header is not valid JSON (${result.problem})`);
  const parsed = result.value;
  if (!isPlainObject(parsed)) {
    return fail(`header is ${describeValue(parsed)}, expected a JSON object of tensors`);
  }
  return parsed;
}

function parseMetadata(value: unknown, fail: (detail: string) => never): Record<string, string> {
  if (!isPlainObject(value)) {
    return fail(`${metadataKey} is ${describeValue(value)}, expected an object of strings`);
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      fail(`${metadataKey} value of ${quoteName(key)} is ${describeValue(entry)}, expected a string`);
    }
  }
  return { ...(value as Record<string, string>) };
}

/** Non-empty byte ranges must be disjoint; empty tensors overlap nothing. */
function checkNoOverlap(
  ranges: { name: string; begin: number; end: number }[],
  fail: (detail: string) => never,
): void {
  const nonEmpty = ranges.filter((range) => range.end > range.begin).sort((left, right) => left.begin - right.begin);
  let furthest: { name: string; end: number } | undefined;
  for (const range of nonEmpty) {
    if (furthest !== undefined && range.begin < furthest.end) {
      fail(`tensors ${quoteName(furthest.name)} and ${quoteName(range.name)} overlap`);
    }
    if (furthest === undefined || range.end > furthest.end) furthest = range;
  }
}

/** Exact IEEE 754 binary16 → number (every half value is representable in float32). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

function littleEndianBytes(values: Float32Array): Uint8Array {
  if (hostIsLittleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

function writeAll(descriptor: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.byteLength) {
    written += writeSync(descriptor, bytes, written, bytes.byteLength - written);
  }
}

function elementCount(shape: number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isDtype(value: string): value is SafetensorsDtype {
  return Object.hasOwn(bytesPerElement, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A name as written in a message: bare when printable, JSON-quoted when it holds control characters. */
function quoteName(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return shown === "" || /[\u0000-\u001f\u007f\u2028\u2029\s]/.test(shown) ? JSON.stringify(shown) : shown;
}

/** A short one-line rendering of a JSON value for error messages. */
function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function readFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  // Node's message repeats the path ("ENOENT: no such file or directory, open '/x'"); the label has it already.
  return oneLine(error.message.replace(/, \w+ '.*'$/s, ""));
}
