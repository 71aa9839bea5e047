import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, as zip and PNG use) of `data`, continuing from the CRC `previous` of earlier bytes. */
export type Crc32Fn = (data: Uint8Array, previous?: number) => number;

const POLYNOMIAL = 0xedb88320;
let tables: Int32Array[] | undefined;

/** Slice-by-8 tables, built on first use: Node >= 20.15 never needs them. */
function crcTables(): Int32Array[] {
  if (tables !== undefined) return tables;
  const first = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    first[n] = c;
  }
  const built = [first];
  for (let k = 1; k < 8; k++) {
    const previous = built[k - 1] as Int32Array;
    const table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = previous[n] as number;
      table[n] = (p >>> 8) ^ (first[p & 0xff] as number);
    }
    built.push(table);
  }
  tables = built;
  return built;
}

/**
 * The table-driven CRC-32 used where `zlib.crc32` is missing (Node before 20.15). Same results,
 * continuation included: `crc32Js(b, crc32Js(a))` is the CRC of `a` followed by `b`.
 */
export function crc32Js(data: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables() as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  let c = ~previous;
  let i = 0;
  const length = data.length;
  for (const end = length - 8; i <= end; i += 8) {
    const low =
      c ^
      ((data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24));
    c =
      (t7[low & 0xff] as number) ^
      (t6[(low >>> 8) & 0xff] as number) ^
      (t5[(low >>> 16) & 0xff] as number) ^
      (t4[low >>> 24] as number) ^
      (t3[data[i + 4] as number] as number) ^
      (t2[data[i + 5] as number] as number) ^
      (t1[data[i + 6] as number] as number) ^
      (t0[data[i + 7] as number] as number);
  }
  for (; i < length; i++) c = (t0[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 through `zlib.crc32` where Node has it (>= 20.15), {@link crc32Js} otherwise. */
export const crc32: Crc32Fn =
  typeof native === 'function' ? (data, previous = 0) => native(data, previous) : crc32Js;
