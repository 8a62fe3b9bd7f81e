// The few protocol-buffer wire encodings TensorBoard's Event needs, written by hand (proto3: fields at
// their default value are left out by the caller): varint (0), 64-bit (1), length-delimited (2), 32-bit (5).

export type Field = Uint8Array;

function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

function tag(field: number, wireType: number): number[] {
  return varint((field << 3) | wireType);
}

export function varintField(field: number, value: number | bigint): Field {
  return Uint8Array.from([...tag(field, 0), ...varint(value)]);
}

export function doubleField(field: number, value: number): Field {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return Uint8Array.from([...tag(field, 1), ...bytes]);
}

export function floatField(field: number, value: number): Field {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return Uint8Array.from([...tag(field, 5), ...bytes]);
}

export function bytesField(field: number, value: Uint8Array | string): Field {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return concat([Uint8Array.from([...tag(field, 2), ...varint(bytes.length)]), bytes]);
}

/** A sub-message: its fields, concatenated, as a length-delimited field. */
export function messageField(field: number, ...fields: Field[]): Field {
  return bytesField(field, concat(fields));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
