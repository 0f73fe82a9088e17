// Byte strings: strict lowercase hex (the only form the record uses, so that bytes and their
// text stay one-to-one), UTF-8, big-endian integers for hash fields, and comparisons.

const HEX = '0123456789abcdef';
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => HEX[i >> 4] + HEX[i & 15]);
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[HEX.charCodeAt(i)] = i;

export function toHex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]];
  return out;
}

// Lowercase hex of even length, else throws (naming `what`). `length`, if given, is the
// number of bytes expected.
export function fromHex(text, what = 'value', length = undefined) {
  if (typeof text !== 'string' || text.length % 2 !== 0) {
    throw new Error(`${what} is not a hex string of even length`);
  }
  if (length !== undefined && text.length !== 2 * length) {
    throw new Error(`${what} must be ${2 * length} hex characters`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = text.charCodeAt(2 * i), lo = text.charCodeAt(2 * i + 1);
    const h = hi < 128 ? NIBBLE[hi] : -1, l = lo < 128 ? NIBBLE[lo] : -1;
    if (h < 0 || l < 0) throw new Error(`${what} is not lowercase hex`);
    out[i] = (h << 4) | l;
  }
  return out;
}

// 32 bytes as 64 lowercase hex characters.
export const fromHex32 = (text, what) => fromHex(text, what, 32);

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (text) => encoder.encode(text);

// The text of UTF-8 bytes, or null if they are not valid UTF-8.
export function utf8Text(bytes) {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

export function u32(v) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${v} is not a u32`);
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

export function u64(v) {
  const out = new Uint8Array(8);
  let x = BigInt(v);
  if (x < 0n || x >= 1n << 64n) throw new Error(`${v} is not a u64`);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(x & 255n);
    x >>= 8n;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

// Little-endian bytes as a BigInt; 64 bits at a time when it can (several times faster, and
// the verifier reads millions of scalars).
export function bytesToNumberLE(bytes) {
  let x = 0n;
  if (bytes.length % 8 === 0) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = bytes.length - 8; i >= 0; i -= 8) x = (x << 64n) | view.getBigUint64(i, true);
    return x;
  }
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x;
}

export function numberToBytesLE(x, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(x & 255n);
    x >>= 8n;
  }
  if (x !== 0n) throw new Error('number does not fit');
  return out;
}
