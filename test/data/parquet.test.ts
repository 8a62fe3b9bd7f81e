// Tests for parquet reading and writing: exact round trips (non-ASCII and empty strings, float64 bit
// patterns, nulls, booleans, INT64), the schema written, every codec we can produce (snappy, gzip, brotli,
// uncompressed, and zstd through a hand-made raw-block frame), row groups, and corrupt or missing files.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { Dataset } from "../../src/data/dataset.ts";
import { DataLoadError } from "../../src/data/errors.ts";
import { readParquetFile, writeParquet, type ParquetWriteCodec } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { expectError } from "./expect-error.ts";

const folder = temporaryDirectory("embedtune-parquet-");

const STRINGS = ["plain", "", "naïve café — 東京 🙂", "quote \" and, comma\nnewline", null, " leading and trailing "];
const DOUBLES = [Math.PI, -0.1, 1e-300, 5e-324, Number.MAX_VALUE, null];

function metadataOf(path: string) {
  const bytes = readFileSync(path);
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

function bits(value: unknown): string {
  return typeof value === "number" ? Buffer.from(Float64Array.of(value).buffer).toString("hex") : String(value);
}

test("strings, float64 values and nulls come back exactly, as STRING and DOUBLE columns", async () => {
  const path = join(folder, "round-trip.parquet");
  writeParquet(path, { sentence: STRINGS, score: DOUBLES });
  const dataset = await readParquetFile(path);
  assert.deepEqual(dataset.columnNames, ["sentence", "score"]);
  assert.deepEqual(dataset.column("sentence"), STRINGS);
  assert.deepEqual(dataset.column("score").map(bits), DOUBLES.map(bits));
  const schema = metadataOf(path).schema.map((element) => [element.name, element.type, element.converted_type, element.repetition_type]);
  assert.deepEqual(schema.slice(1), [
    ["sentence", "BYTE_ARRAY", "UTF8", "OPTIONAL"],
    ["score", "DOUBLE", undefined, "OPTIONAL"],
  ]);
});

test("NaN, -0, booleans and INT64 survive; INT64 within the safe range becomes a number", async () => {
  const path = join(folder, "types.parquet");
  const dataset = Dataset.fromColumns({ f: [NaN, -0, 1], b: [true, null, false], i: [1n, null, 2n ** 60n] });
  writeParquet(path, dataset);
  const read = await readParquetFile(path);
  assert.ok(Number.isNaN(read.column("f")[0]));
  assert.ok(Object.is(read.column("f")[1], -0));
  assert.deepEqual(read.column("b"), [true, null, false]);
  assert.deepEqual(read.column("i"), [1, null, 2n ** 60n]);
});

test("each codec we write is really used and reads back (snappy, gzip, brotli, uncompressed)", async () => {
  for (const codec of ["SNAPPY", "GZIP", "BROTLI", "UNCOMPRESSED"] as ParquetWriteCodec[]) {
    const path = join(folder, `codec-${codec}.parquet`);
    writeParquet(path, { sentence: STRINGS, score: DOUBLES }, { codec });
    const codecs = metadataOf(path).row_groups.flatMap((group) => group.columns.map((column) => column.meta_data?.codec));
    assert.deepEqual(codecs, [codec, codec], codec);
    const dataset = await readParquetFile(path);
    assert.deepEqual(dataset.column("sentence"), STRINGS, codec);
    assert.deepEqual(dataset.column("score").map(bits), DOUBLES.map(bits), codec);
  }
  await expectError(() => writeParquet(join(folder, "z.parquet"), { a: [1] }, { codec: "ZSTD" as ParquetWriteCodec }), ArgumentError, "codec", '"ZSTD"');
});

/** A zstd frame holding `input` in raw (stored) blocks: valid zstd that any decoder must accept. */
function zstdRawFrame(input: Uint8Array): Uint8Array {
  const blockSize = 128 * 1024;
  const blockCount = Math.max(1, Math.ceil(input.length / blockSize));
  const out = new Uint8Array(4 + 1 + 8 + blockCount * 3 + input.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xfd2fb528, true); // magic
  out[4] = 0xe0; // 8-byte frame content size, single segment, no checksum, no dictionary
  view.setBigUint64(5, BigInt(input.length), true);
  let offset = 13;
  for (let block = 0; block < blockCount; block++) {
    const chunk = input.subarray(block * blockSize, (block + 1) * blockSize);
    const header = (chunk.length << 3) | (0 << 1) | (block === blockCount - 1 ? 1 : 0); // raw block
    out[offset] = header & 0xff;
    out[offset + 1] = (header >> 8) & 0xff;
    out[offset + 2] = (header >> 16) & 0xff;
    out.set(chunk, offset + 3);
    offset += 3 + chunk.length;
  }
  return out;
}

test("zstd-compressed files (the codec of many Hub exports) are read", async () => {
  const path = join(folder, "zstd.parquet");
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "sentence", data: STRINGS, type: "STRING" },
      { name: "score", data: DOUBLES, type: "DOUBLE" },
    ],
    codec: "ZSTD",
    compressors: { ZSTD: zstdRawFrame },
  });
  writeFileSync(path, new Uint8Array(buffer));
  assert.equal(metadataOf(path).row_groups[0].columns[0].meta_data?.codec, "ZSTD");
  const dataset = await readParquetFile(path);
  assert.deepEqual(dataset.column("sentence"), STRINGS);
  assert.deepEqual(dataset.column("score").map(bits), DOUBLES.map(bits));
});

test("several row groups are read back in order; an empty dataset keeps its columns", async () => {
  const path = join(folder, "groups.parquet");
  const ids = Array.from({ length: 10 }, (_, i) => i * 0.5);
  writeParquet(path, { id: ids, text: ids.map((id) => `row ${id}`) }, { rowGroupSize: 3 });
  assert.equal(metadataOf(path).row_groups.length, 4);
  const dataset = await readParquetFile(path);
  assert.deepEqual(dataset.column("id"), ids);
  assert.deepEqual(dataset.column("text"), ids.map((id) => `row ${id}`));
  const emptyPath = join(folder, "empty.parquet");
  writeParquet(emptyPath, Dataset.fromColumns({ sentence: [], score: [] }));
  const empty = await readParquetFile(emptyPath);
  assert.deepEqual(empty.shape, [0, 2]);
  assert.deepEqual(empty.columnNames, ["sentence", "score"]);
});

test("writeParquet refuses a column mixing types or holding objects, naming column and row", async () => {
  const path = join(folder, "refused.parquet");
  await expectError(() => writeParquet(path, { score: [0.5, null, "high"] }), ArgumentError, 'column "score"', "row 2", '"high"', "DOUBLE");
  await expectError(() => writeParquet(path, { meta: [{ a: 1 }] }), ArgumentError, 'column "meta"', "row 0", "an object");
});

test("missing, folder, non-parquet, truncated and corrupt files are one-line DataLoadErrors naming the file", async () => {
  const good = join(folder, "good.parquet");
  writeParquet(good, { sentence: STRINGS, score: DOUBLES });
  const bytes = readFileSync(good);

  await expectError(() => readParquetFile(join(folder, "absent.parquet")), DataLoadError, join(folder, "absent.parquet"), "no such file");
  const subfolder = join(folder, "a-folder.parquet");
  mkdirSync(subfolder);
  await expectError(() => readParquetFile(subfolder), DataLoadError, subfolder, "is a folder");

  const text = join(folder, "text.parquet");
  writeFileSync(text, "sentence1,sentence2,score\nthis is a CSV file, not parquet,0.5\n");
  await expectError(() => readParquetFile(text), DataLoadError, text, "not a parquet file", 'does not start with "PAR1"');

  const tiny = join(folder, "tiny.parquet");
  writeFileSync(tiny, "PAR1");
  await expectError(() => readParquetFile(tiny), DataLoadError, tiny, "not a parquet file", "4 bytes");

  const truncated = join(folder, "truncated.parquet");
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await expectError(() => readParquetFile(truncated), DataLoadError, truncated, "truncated parquet file");

  const badLength = Uint8Array.from(bytes);
  new DataView(badLength.buffer).setUint32(badLength.length - 8, 0x7fffffff, true);
  const badLengthPath = join(folder, "bad-length.parquet");
  writeFileSync(badLengthPath, badLength);
  await expectError(() => readParquetFile(badLengthPath), DataLoadError, badLengthPath, "corrupt parquet file");

  const garbled = Uint8Array.from(bytes);
  const footerLength = new DataView(garbled.buffer).getUint32(garbled.length - 8, true);
  garbled.fill(0xff, garbled.length - 8 - footerLength, garbled.length - 8);
  const garbledPath = join(folder, "garbled.parquet");
  writeFileSync(garbledPath, garbled);
  await expectError(() => readParquetFile(garbledPath), DataLoadError, garbledPath, "corrupt parquet file");
});
