// A reader of TensorBoard event files written from the formats alone (tensorboard/summary/writer/
// record_writer.py's TFRecord framing, tensorboard/compat/proto event.proto / summary.proto / tensor.proto),
// independent of src/: it checks both masked CRC-32Cs of every record (computed bit by bit here, not with
// the writer's table) and decodes each Event's wall time, step, file_version, session_log status and
// summary values (tag, simple_value, plugin name, string tensor).
import { readFileSync } from "node:fs";

export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  pluginName?: string;
  strings?: string[];
}

export interface TensorBoardEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  sessionLogStatus?: number;
  values: SummaryValue[];
}

/** Bitwise CRC-32C (Castagnoli), masked as TFRecord does. */
export function maskedCrc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** The records of a TFRecord file; throws naming the record whose length or data CRC is wrong. */
export function readTfRecords(path: string): Uint8Array[] {
  const buffer = readFileSync(path);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error(`${path}: record ${records.length} header cut short`);
    const length = Number(view.getBigUint64(offset, true));
    if (view.getUint32(offset + 8, true) !== maskedCrc32cBitwise(bytes.subarray(offset, offset + 8))) throw new Error(`${path}: record ${records.length}: bad length CRC`);
    const start = offset + 12;
    if (start + length + 4 > bytes.length) throw new Error(`${path}: record ${records.length} cut short`);
    const data = bytes.subarray(start, start + length);
    if (view.getUint32(start + length, true) !== maskedCrc32cBitwise(data)) throw new Error(`${path}: record ${records.length}: bad data CRC`);
    records.push(data);
    offset = start + length + 4;
  }
  return records;
}

type Fields = Map<number, (bigint | Uint8Array)[]>;

/** Decodes one message's fields: varints and fixed64/fixed32 as bigint raw bits, length-delimited as bytes. */
function decodeFields(bytes: Uint8Array): Fields {
  const fields: Fields = new Map();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const readVarint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[offset++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (offset < bytes.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    let value: bigint | Uint8Array;
    switch (key & 7) {
      case 0:
        value = readVarint();
        break;
      case 1:
        value = view.getBigUint64(offset, true);
        offset += 8;
        break;
      case 2: {
        const length = Number(readVarint());
        value = bytes.subarray(offset, offset + length);
        offset += length;
        break;
      }
      case 5:
        value = BigInt(view.getUint32(offset, true));
        offset += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (bytes: bigint | Uint8Array | undefined) => (bytes instanceof Uint8Array ? new TextDecoder().decode(bytes) : undefined);
const sub = (fields: Fields, field: number) => (fields.get(field) ?? []).map((bytes) => decodeFields(bytes as Uint8Array));

function bitsToDouble(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits, true);
  return view.getFloat64(0, true);
}

function bitsToFloat(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, Number(bits), true);
  return view.getFloat32(0, true);
}

export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const fields = decodeFields(bytes);
  const wallBits = fields.get(1)?.[0] as bigint | undefined;
  const stepValue = fields.get(2)?.[0] as bigint | undefined;
  const session = sub(fields, 7)[0];
  const values: SummaryValue[] = [];
  for (const summary of sub(fields, 5)) {
    for (const value of sub(summary, 1)) {
      const simple = value.get(2)?.[0] as bigint | undefined;
      const plugin = sub(value, 9).flatMap((metadata) => sub(metadata, 1))[0];
      const tensor = sub(value, 8)[0];
      values.push({
        tag: text(value.get(1)?.[0]) ?? "",
        ...(simple !== undefined ? { simpleValue: bitsToFloat(simple) } : {}),
        ...(plugin ? { pluginName: text(plugin.get(1)?.[0]) } : {}),
        ...(tensor ? { strings: (tensor.get(8) ?? []).map((entry) => text(entry)!) } : {}),
      });
    }
  }
  return {
    wallTime: wallBits === undefined ? 0 : bitsToDouble(wallBits),
    step: stepValue === undefined ? 0 : Number(BigInt.asIntN(64, stepValue)),
    ...(fields.has(3) ? { fileVersion: text(fields.get(3)![0]) } : {}),
    ...(session ? { sessionLogStatus: Number(session.get(1)?.[0] ?? 0n) } : {}),
    values,
  };
}

/** Every event of a TensorBoard event file, both CRCs of each record checked. */
export function readEventFile(path: string): TensorBoardEvent[] {
  return readTfRecords(path).map(decodeEvent);
}
