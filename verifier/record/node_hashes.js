// Node's native SHA-2 for the verifier (lib/ stays free of Node-only imports otherwise: the
// builder runs in browsers with noble's hashes).
import { createHash } from 'node:crypto';
import { setHashFunctions } from '../lib/hash.js';

const digest = (name) => (bytes) => {
  const b = createHash(name).update(bytes).digest();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
};

export function useNativeHashes() {
  setHashFunctions({ sha256: digest('sha256'), sha512: digest('sha512') });
}
