// The record's hashes (RECORD.md, "Hashes"): a tag and fields, each framed as a 4-byte
// big-endian length and its bytes, into SHA-512 (H512, and Hs: its 64 bytes read little-endian
// mod ℓ) or SHA-256 (H256). Fields are Uint8Arrays or strings (hashed as UTF-8).
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE, utf8 } from './bytes.js';
import { mod } from './group.js';

export const TAGS = Object.freeze({
  credential: 'landslide/v1/credential',
  selection: 'landslide/v1/selection-proof',
  sum: 'landslide/v1/sum-proof',
  signature: 'landslide/v1/ballot-signature',
  chain: 'landslide/v1/chain',
  coefficient: 'landslide/v1/trustee-coefficient',
  partial: 'landslide/v1/partial-decryption',
});

// The SHA-2 functions in use. Node's native ones are several times faster than noble's for
// a verifier hashing millions of ballots; useNativeHashes (node_hashes.js) swaps them in.
const impl = { sha256: nobleSha256, sha512: nobleSha512 };
export function setHashFunctions({ sha256, sha512 }) {
  impl.sha256 = sha256;
  impl.sha512 = sha512;
}

export const sha256 = (bytes) => impl.sha256(bytes);

// frame(tag) || frame(f1) || ... || frame(fn), as one buffer.
export function framed(tag, fields) {
  const parts = [utf8(tag)];
  for (const f of fields) parts.push(typeof f === 'string' ? utf8(f) : f);
  let n = 0;
  for (const p of parts) n += 4 + p.length;
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length, false);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

export const h512 = (tag, fields) => impl.sha512(framed(tag, fields));
export const h256 = (tag, fields) => impl.sha256(framed(tag, fields));
export const hs = (tag, fields) => mod(bytesToNumberLE(h512(tag, fields)));
