// Tests for the safetensors reader/writer: hand-built byte layouts, a write→read round trip, exact
// F16/BF16/F64 decoding of known bit patterns, and one-line SafetensorsErrors for every malformed input.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ArgumentError, SafetensorsError } from "../../src/errors.ts";
import {
  parseSafetensors,
  readSafetensors,
  toFloat32,
  writeSafetensors,
  type SafetensorsDtype,
  type SafetensorsEntry,
} from "../../src/io/safetensors.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";

/** u64 little-endian header length, the header text as UTF-8, then the data bytes. */
function buildFile(header: string, data: number[] = []): Uint8Array {
  const headerBytes = new TextEncoder().encode(header);
  return buildRaw(BigInt(headerBytes.length), [...headerBytes, ...data]);
}

function buildRaw(headerLength: bigint, rest: number[]): Uint8Array {
  const bytes = new Uint8Array(8 + rest.length);
  new DataView(bytes.buffer).setBigUint64(0, headerLength, true);
  bytes.set(rest, 8);
  return bytes;
}

function entry(dtype: SafetensorsDtype, shape: number[], bytes: number[]): SafetensorsEntry {
  return { name: "t", dtype, shape, bytes: Uint8Array.from(bytes) };
}

/** Little-endian bytes of 16-bit patterns. */
function halfBytes(patterns: number[]): number[] {
  return patterns.flatMap((bits) => [bits & 0xff, bits >> 8]);
}

function assertSafetensorsError(action: () => unknown, file: string, fragment: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof SafetensorsError, `expected SafetensorsError, got ${String(error)}`);
    assert.equal(error.name, "SafetensorsError");
    assert.ok(error.message.startsWith(`${file}: `), `message does not name ${file}: ${error.message}`);
    assert.ok(error.message.includes(fragment), `message lacks "${fragment}": ${error.message}`);
    assert.ok(!/[\r\n]/.test(error.message), `message spans lines: ${JSON.stringify(error.message)}`);
    return true;
  });
}

test("parses a hand-built file byte for byte, including F32 data at an unaligned offset", () => {
  const header =
    '{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"a":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},"__metadata__":{"format":"pt"}}';
  assert.equal(header.length, 141); // data starts at byte 149: not a multiple of 4
  const data = [
    0x00, 0x00, 0xc0, 0x3f, // F32 1.5 = 0x3FC00000
    0x00, 0x00, 0x00, 0xc0, // F32 -2 = 0xC0000000
    0x00, 0x3c, // F16 1 = 0x3C00
    0x00, 0xc0, // F16 -2 = 0xC000
  ];
  const buffer = buildFile(header, data);
  assert.equal(buffer.length, 8 + 141 + 12);

  const file = parseSafetensors(buffer, "hand.safetensors");
  assert.equal(file.path, "hand.safetensors");
  assert.deepEqual(file.metadata, { format: "pt" });
  assert.deepEqual([...file.tensors.keys()].sort(), ["a", "b"]);

  const b = file.tensors.get("b")!;
  assert.equal(b.name, "b");
  assert.equal(b.dtype, "F32");
  assert.deepEqual(b.shape, [2]);
  assert.equal(b.bytes.buffer, buffer.buffer, "entry bytes must be a view, not a copy");
  assert.equal(b.bytes.byteOffset, 149);
  assert.equal(b.bytes.byteLength, 8);
  assert.deepEqual([...toFloat32(b, "hand.safetensors")], [1.5, -2]);

  const a = file.tensors.get("a")!;
  assert.equal(a.dtype, "F16");
  assert.deepEqual(a.shape, [1, 2]);
  assert.equal(a.bytes.byteOffset, 157);
  assert.deepEqual([...toFloat32(a, "hand.safetensors")], [1, -2]);
});

test("parses a file with no metadata, no tensors, or a scalar and an empty tensor", () => {
  assert.equal(parseSafetensors(buildFile("{}"), "empty").tensors.size, 0);
  assert.deepEqual(parseSafetensors(buildFile("{}"), "empty").metadata, {});
  const header =
    '{"scalar":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
    '"nothing":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}}   ';
  const file = parseSafetensors(buildFile(header, [0x00, 0x00, 0x80, 0x3f]), "scalar");
  assert.deepEqual([...toFloat32(file.tensors.get("scalar")!, "scalar")], [1]);
  assert.equal(toFloat32(file.tensors.get("nothing")!, "scalar").length, 0);
});

test("parseSafetensors accepts a Uint8Array that is a view into a larger buffer", () => {
  const inner = buildFile('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0x00, 0x00, 0x40, 0x40]);
  const outer = new Uint8Array(inner.length + 3);
  outer.set(inner, 3);
  const file = parseSafetensors(outer.subarray(3), "view");
  assert.deepEqual([...toFloat32(file.tensors.get("x")!, "view")], [3]);
});

test("writes the byte layout the Python library writes: sorted, compact JSON padded to 8 bytes", () => {
  const path = join(temporaryDirectory(), "exact.safetensors");
  writeSafetensors(
    path,
    [
      { name: "b", shape: [1], values: Float32Array.of(1) },
      { name: "a", shape: [2], values: Float32Array.of(2, -0.5) },
    ],
    { format: "pt" },
  );
  const expectedHeader =
    '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}' +
    "     "; // 139 bytes of JSON padded to 144
  const expected = buildFile(expectedHeader, [
    0x00, 0x00, 0x00, 0x40, // 2
    0x00, 0x00, 0x00, 0xbf, // -0.5
    0x00, 0x00, 0x80, 0x3f, // 1
  ]);
  assert.equal(expected.length, 8 + 144 + 12);
  assert.deepEqual(new Uint8Array(readFileSync(path)), expected);
});

test("write → read round trip keeps names, shapes, values and metadata; data starts 8-byte aligned", () => {
  const path = join(temporaryDirectory(), "round.safetensors");
  const word = Float32Array.from({ length: 3 * 5 }, (_, index) => (index - 7) / 3);
  const bias = Float32Array.of(0.1, -0, Infinity, -3.5e-42, 65504);
  const odd = Float32Array.of(1, 2, 3); // 12 bytes, so the next tensor starts off an 8-byte boundary
  const metadata = { format: "pt", note: "ünïcode ✓" };
  writeSafetensors(
    path,
    [
      { name: "encoder.layer.0.weight", shape: [3, 5], values: word },
      { name: "bias", shape: [5], values: bias },
      { name: "a.odd", shape: [3], values: odd },
      { name: "empty", shape: [0], values: new Float32Array(0) },
    ],
    metadata,
  );

  const raw = readFileSync(path);
  const headerLength = Number(raw.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const headerText = raw.subarray(8, 8 + headerLength).toString("utf8");
  assert.match(headerText, /^\{.*\} *$/);
  const header = JSON.parse(headerText) as Record<string, { data_offsets: [number, number] }>;
  assert.deepEqual(Object.keys(header), ["__metadata__", "a.odd", "bias", "empty", "encoder.layer.0.weight"]);
  assert.deepEqual(header["a.odd"]!.data_offsets, [0, 12]);
  assert.deepEqual(header["bias"]!.data_offsets, [12, 32]);
  assert.deepEqual(header["empty"]!.data_offsets, [32, 32]);
  assert.deepEqual(header["encoder.layer.0.weight"]!.data_offsets, [32, 92]);
  assert.equal(raw.length, 8 + headerLength + 92);

  const file = readSafetensors(path);
  assert.equal(file.path, path);
  assert.deepEqual(file.metadata, metadata);
  assert.deepEqual([...file.tensors.keys()].sort(), ["a.odd", "bias", "empty", "encoder.layer.0.weight"]);
  const expectations: [string, number[], Float32Array][] = [
    ["encoder.layer.0.weight", [3, 5], word],
    ["bias", [5], bias],
    ["a.odd", [3], odd],
    ["empty", [0], new Float32Array(0)],
  ];
  for (const [name, shape, values] of expectations) {
    const tensor = file.tensors.get(name)!;
    assert.equal(tensor.dtype, "F32");
    assert.deepEqual(tensor.shape, shape);
    const decoded = toFloat32(tensor, path);
    // Compare bit patterns so -0 and subnormals must survive exactly.
    assert.deepEqual(new Uint8Array(decoded.buffer), new Uint8Array(values.buffer), name);
  }
});

test("writes no __metadata__ when none is given", () => {
  const path = join(temporaryDirectory(), "plain.safetensors");
  writeSafetensors(path, [{ name: "x", shape: [1, 1], values: Float32Array.of(7) }]);
  const raw = readFileSync(path);
  const headerLength = Number(raw.readBigUInt64LE(0));
  assert.equal(raw.subarray(8, 8 + headerLength).toString("utf8").trimEnd(),
    '{"x":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]}}');
  const file = readSafetensors(path);
  assert.deepEqual(file.metadata, {});
  assert.deepEqual([...toFloat32(file.tensors.get("x")!, path)], [7]);
});

test("writeSafetensors refuses impossible tensors with an ArgumentError", () => {
  const path = join(temporaryDirectory(), "bad.safetensors");
  const cases: [{ name: string; shape: number[]; values: Float32Array }[], string][] = [
    [[{ name: "x", shape: [2, 2], values: new Float32Array(3) }], "has 3 values, but shape [2,2] holds 4"],
    [[{ name: "x", shape: [-1], values: new Float32Array(0) }], "shape [-1] is not a list of non-negative integers"],
    [
      [
        { name: "x", shape: [1], values: new Float32Array(1) },
        { name: "x", shape: [1], values: new Float32Array(1) },
      ],
      "tensor x: appears twice",
    ],
    [[{ name: "__metadata__", shape: [1], values: new Float32Array(1) }], "reserved"],
  ];
  for (const [tensors, fragment] of cases) {
    assert.throws(() => writeSafetensors(path, tensors), (error: unknown) => {
      assert.ok(error instanceof ArgumentError);
      assert.ok(error.message.includes(fragment), error.message);
      return true;
    });
  }
});

test("F16 decodes exactly: normals, the largest finite, subnormals, signed zero, infinities, NaN", () => {
  const patterns = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe01];
  const decoded = toFloat32(entry("F16", [patterns.length], halfBytes(patterns)), "half");
  const expected = [
    1,
    -2,
    65504,
    2 ** -24, // smallest subnormal
    1023 * 2 ** -24, // largest subnormal
    2 ** -14, // smallest normal
    0.333251953125, // nearest half to 1/3
    0,
    -0,
    Infinity,
    -Infinity,
  ];
  expected.forEach((value, index) => assert.ok(Object.is(decoded[index], value), `index ${index}: ${decoded[index]} ≠ ${value}`));
  assert.ok(Number.isNaN(decoded[11]));
  assert.ok(Number.isNaN(decoded[12]));
});

test("BF16 decodes as the upper 16 bits of a float32", () => {
  const patterns = [0x3f80, 0xc040, 0x4049, 0x7f80, 0x0001, 0x8000, 0x7fc0];
  const decoded = toFloat32(entry("BF16", [patterns.length], halfBytes(patterns)), "brain");
  const expected = [1, -3, 3.140625, Infinity, 2 ** -133, -0];
  expected.forEach((value, index) => assert.ok(Object.is(decoded[index], value), `index ${index}: ${decoded[index]} ≠ ${value}`));
  assert.ok(Number.isNaN(decoded[6]));
});

test("F64 rounds to the nearest float32, F32 copies even from an unaligned view", () => {
  const doubles = new Uint8Array(24);
  const view = new DataView(doubles.buffer);
  [0.1, -1e40, 2.5].forEach((value, index) => view.setFloat64(index * 8, value, true));
  const decoded = toFloat32({ name: "d", dtype: "F64", shape: [3], bytes: doubles }, "double");
  assert.deepEqual([...decoded], [0.100000001490116119384765625, -Infinity, 2.5]);

  const backing = new Uint8Array(9);
  backing.set([0x00, 0x00, 0x20, 0x41, 0x00, 0x00, 0x80, 0xbf], 1); // 10, -1
  const unaligned = { name: "u", dtype: "F32" as const, shape: [2], bytes: backing.subarray(1) };
  const copy = toFloat32(unaligned, "unaligned");
  assert.deepEqual([...copy], [10, -1]);
  copy[0] = 99;
  assert.equal(backing[4], 0x41, "toFloat32 must return a copy");
});

test("toFloat32 refuses dtypes that are not float weights, and byte counts that disagree with the shape", () => {
  for (const dtype of ["I64", "I32", "U8", "BOOL", "F8_E4M3"] as const) {
    assertSafetensorsError(
      () => toFloat32({ name: "ids", dtype, shape: [0], bytes: new Uint8Array(0) }, "model.safetensors"),
      "model.safetensors",
      `tensor ids has dtype ${dtype}; embedtune reads F32, F16, BF16 and F64 weights`,
    );
  }
  assertSafetensorsError(() => toFloat32(entry("F32", [2], [0, 0, 0, 0]), "short"), "short", "tensor t has 4 bytes");
});

test("malformed files give a one-line SafetensorsError naming the file and the problem", () => {
  const label = "broken.safetensors";
  const tensor = (fields: string) => buildFile(`{"x":{${fields}}}`, [0, 0, 0, 0, 0, 0, 0, 0]);
  const cases: [string, Uint8Array, string][] = [
    ["five bytes", Uint8Array.of(1, 2, 3, 4, 5), "truncated: 5 bytes, a safetensors file starts with an 8-byte header length"],
    ["empty file", new Uint8Array(0), "truncated: 0 bytes"],
    ["header past end", buildRaw(9999n, new Array(12).fill(0x20)), "header length 9999 runs past the end of the file (20 bytes)"],
    ["header above 100 MB", buildRaw(100_000_001n, []), "header length 100000001 exceeds the 100000000-byte limit"],
    ["header length 2^64-1", buildRaw(2n ** 64n - 1n, []), "header length 18446744073709551615 exceeds"],
    ["zero-length header", buildRaw(0n, []), "header is not valid JSON"],
    ["not UTF-8", buildRaw(4n, [0x7b, 0xff, 0xfe, 0x7d]), "header (4 bytes) is not valid UTF-8"],
    ["not JSON", buildFile('{"x":\n{'), "header is not valid JSON"],
    ["JSON array", buildFile("[]"), "header is [], expected a JSON object of tensors"],
    ["JSON null", buildFile("null"), "header is null, expected a JSON object"],
    ["JSON number", buildFile("42"), "header is 42, expected a JSON object"],
    ["entry not an object", buildFile('{"x":5}'), "tensor x is 5, expected an object with dtype, shape and data_offsets"],
    ["dtype missing", tensor('"shape":[2],"data_offsets":[0,8]'), "tensor x has dtype missing"],
    ["dtype not a string", tensor('"dtype":32,"shape":[2],"data_offsets":[0,8]'), "tensor x has dtype 32, expected a string"],
    ["unknown dtype", tensor('"dtype":"F7","shape":[2],"data_offsets":[0,8]'), "tensor x has unsupported dtype F7"],
    ["lower-case dtype", tensor('"dtype":"f32","shape":[2],"data_offsets":[0,8]'), "tensor x has unsupported dtype f32"],
    ["shape missing", tensor('"dtype":"F32","data_offsets":[0,8]'), "tensor x has shape missing"],
    ["shape not a list", tensor('"dtype":"F32","shape":2,"data_offsets":[0,8]'), "tensor x has shape 2, expected a list"],
    ["negative shape", tensor('"dtype":"F32","shape":[-2],"data_offsets":[0,8]'), "tensor x has shape [-2]"],
    ["fractional shape", tensor('"dtype":"F32","shape":[1.5],"data_offsets":[0,6]'), "tensor x has shape [1.5]"],
    ["offsets missing", tensor('"dtype":"F32","shape":[2]'), "tensor x has data_offsets missing"],
    ["negative offset", tensor('"dtype":"F32","shape":[2],"data_offsets":[-8,0]'), "tensor x has data_offsets [-8,0]"],
    ["fractional offset", tensor('"dtype":"F32","shape":[1],"data_offsets":[0.5,4.5]'), "tensor x has data_offsets [0.5,4.5]"],
    ["three offsets", tensor('"dtype":"F32","shape":[2],"data_offsets":[0,4,8]'), "tensor x has data_offsets [0,4,8]"],
    ["offsets reversed", tensor('"dtype":"F32","shape":[0],"data_offsets":[8,0]'), "tensor x has data_offsets [8,0]"],
    ["string offsets", tensor('"dtype":"F32","shape":[2],"data_offsets":["0","8"]'), 'tensor x has data_offsets ["0","8"]'],
    [
      "length disagrees with dtype × shape",
      tensor('"dtype":"F32","shape":[2,2],"data_offsets":[0,8]'),
      "tensor x data_offsets [0,8] hold 8 bytes, but dtype F32 with shape [2,2] needs 16",
    ],
    ["offsets past the data", tensor('"dtype":"F64","shape":[2],"data_offsets":[0,16]'), "tensor x data_offsets [0,16] lie outside the 8 data bytes"],
    [
      "overlapping tensors",
      buildFile(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        new Array(12).fill(0),
      ),
      "tensors a and b overlap",
    ],
    [
      "tensor inside another",
      buildFile(
        '{"big":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"small":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}',
        new Array(16).fill(0),
      ),
      "tensors big and small overlap",
    ],
    ["metadata not an object", buildFile('{"__metadata__":"pt"}'), '__metadata__ is "pt", expected an object of strings'],
    ["metadata value not a string", buildFile('{"__metadata__":{"epoch":3}}'), "__metadata__ value of epoch is 3, expected a string"],
    [
      "name with a newline",
      buildFile('{"bad\\nname":{"dtype":"F7","shape":[],"data_offsets":[0,0]}}'),
      'tensor "bad\\nname" has unsupported dtype F7',
    ],
  ];
  for (const [description, bytes, fragment] of cases) {
    try {
      assertSafetensorsError(() => parseSafetensors(bytes, label), label, fragment);
    } catch (error) {
      assert.fail(`${description}: ${(error as Error).message}`);
    }
  }
});

test("a truncated file reports the tensor whose data is missing", () => {
  const directory = temporaryDirectory();
  const path = join(directory, "whole.safetensors");
  writeSafetensors(path, [
    { name: "first", shape: [2], values: Float32Array.of(1, 2) },
    { name: "second", shape: [4], values: Float32Array.of(1, 2, 3, 4) },
  ]);
  const whole = readFileSync(path);
  const truncatedPath = join(directory, "cut.safetensors");
  writeFileSync(truncatedPath, whole.subarray(0, whole.length - 5)); // 24 data bytes → 19
  assertSafetensorsError(
    () => readSafetensors(truncatedPath),
    truncatedPath,
    "tensor second data_offsets [8,24] lie outside the 19 data bytes",
  );
  writeFileSync(truncatedPath, whole.subarray(0, 20)); // the header itself is cut
  assertSafetensorsError(() => readSafetensors(truncatedPath), truncatedPath, "runs past the end of the file (20 bytes)");
});

test("reading a missing path or a folder names the path and why it cannot be read", () => {
  const directory = temporaryDirectory();
  const missing = join(directory, "absent.safetensors");
  assertSafetensorsError(() => readSafetensors(missing), missing, "cannot read: ENOENT: no such file or directory");
  assertSafetensorsError(() => readSafetensors(directory), directory, "cannot read: EISDIR");
});

const tinyBert = "models/tiny-bert/model.safetensors";
test("reads the shared tiny-bert checkpoint", { skip: skipUnlessShared(tinyBert) }, () => {
  const path = sharedPath(tinyBert);
  const file = readSafetensors(path);
  assert.equal(file.metadata["format"], "pt");
  const word = file.tensors.get("embeddings.word_embeddings.weight");
  assert.ok(word, "embeddings.word_embeddings.weight is missing");
  assert.equal(word.dtype, "F32");
  assert.deepEqual(word.shape, [2146, 64]);
  const values = toFloat32(word, path);
  assert.equal(values.length, 2146 * 64);
  assert.ok(values.every(Number.isFinite));
  // Reference values read independently with numpy (np.frombuffer(..., "<f4")): row 0 is the
  // all-zero padding embedding.
  assert.deepEqual([...values.subarray(0, 3)], [0, 0, 0]);
  assert.equal(values[64], 0.08370596915483475);
  assert.equal(values[65], -0.07124396413564682);
  assert.equal(values[2146 * 64 - 1], -0.060334671288728714);
  // Data begins after the 8-byte length and the 4040-byte header; this tensor's offsets are [132096, 681472].
  const raw = readFileSync(path);
  assert.equal(Number(raw.readBigUInt64LE(0)), 4040);
  assert.equal(word.bytes.byteLength, 681472 - 132096);
  const start = 8 + 4040 + 132096;
  assert.deepEqual(word.bytes.subarray(256, 264), new Uint8Array(raw.subarray(start + 256, start + 264)));
});
