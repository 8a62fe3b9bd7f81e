// NumPy's .npy format 1.0 for a little-endian float32 matrix, written as a stream: `npyHeader(rows,
// columns)` is byte for byte what numpy.save writes for a C-order '<f4' array of that shape (the dict,
// numpy's spare room for a 21-digit row count, spaces, '\n', data starting at a multiple of 64 bytes).
// Its length does not depend on `rows`, so a writer puts npyHeader(0, D) first and overwrites it with
// the real count at the end. `float32Bytes` lays out rows of numbers as the data part.

const MAGIC = [0x93, ..."NUMPY"].map((c) => (typeof c === "number" ? c : c.charCodeAt(0)));
const ALIGN = 64;
/** numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: room kept in the header so the row count can grow in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export function npyHeader(rows: number, columns: number): Uint8Array {
  for (const [name, value] of [["rows", rows], ["columns", columns]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`npy ${name} must be a non-negative integer, got ${value}`);
  }
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(rows).length));
  const prefix = MAGIC.length + 2 + 2; // magic, version 1.0, uint16 header length
  const unpadded = dict.length + 1; // + '\n'
  const padding = ALIGN - ((prefix + unpadded) % ALIGN);
  const headerLength = unpadded + padding;
  const bytes = new Uint8Array(prefix + headerLength);
  bytes.set(MAGIC, 0);
  bytes.set([1, 0], MAGIC.length);
  new DataView(bytes.buffer).setUint16(MAGIC.length + 2, headerLength, true);
  const text = dict + " ".repeat(padding) + "\n";
  for (let i = 0; i < text.length; i++) bytes[prefix + i] = text.charCodeAt(i);
  return bytes;
}

/** Rows of `columns` numbers as little-endian float32, row after row. */
export function float32Bytes(rows: readonly (readonly number[])[], columns: number): Uint8Array {
  const values = new Float32Array(rows.length * columns);
  rows.forEach((row, index) => {
    if (row.length !== columns) throw new RangeError(`npy row ${index} has ${row.length} values, expected ${columns}`);
    values.set(row, index * columns);
  });
  // Float32Array uses the platform's byte order; every platform Node runs on is little-endian.
  return new Uint8Array(values.buffer);
}
