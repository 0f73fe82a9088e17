import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, fromHex32, toHex, u32, u64 } from '../lib/bytes.js';
import { G, ORDER, baseMul, decodePoint, decodeScalar, encodePoint, encodeScalar } from '../lib/group.js';
import { numberToBytesLE } from '../lib/bytes.js';

// RFC 9496, appendix A.1: multiples of the generator.
const MULTIPLES = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76',
  '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919',
  '94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259',
];

test('generator multiples match RFC 9496', () => {
  MULTIPLES.forEach((hex, k) => {
    assert.equal(toHex(encodePoint(baseMul(BigInt(k)))), hex);
    assert.equal(toHex(encodePoint(decodePoint(fromHex32(hex)))), hex);
  });
  assert.ok(decodePoint(fromHex32(MULTIPLES[3])).equals(G.add(G).add(G)));
});

test('non-canonical and invalid point encodings are refused', () => {
  const bad = [
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s = p
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s > p
    'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s = p + 6
    '0000000000000000000000000000000000000000000000000000000000000080', // high bit set
    '0100000000000000000000000000000000000000000000000000000000000000', // s = 1, negative
    MULTIPLES[2].slice(0, 62) + '3a', // not on the curve (a changed byte)
  ];
  for (const hex of bad) assert.throws(() => decodePoint(fromHex32(hex), 'p'), /canonical|not/, hex);
  // The identity is a point, refused only where the record says so.
  assert.ok(decodePoint(new Uint8Array(32)).is0());
  assert.throws(() => decodePoint(new Uint8Array(32), 'the credential', false), /the credential is the identity/);
});

test('scalars must be below the group order', () => {
  assert.equal(ORDER, 2n ** 252n + 27742317777372353535851937790883648493n);
  assert.equal(decodeScalar(numberToBytesLE(ORDER - 1n, 32)), ORDER - 1n);
  assert.throws(() => decodeScalar(numberToBytesLE(ORDER, 32), 's'), /s is not a canonical scalar/);
  assert.throws(() => decodeScalar(new Uint8Array(32).fill(255), 's'), /canonical/);
  assert.throws(() => decodeScalar(new Uint8Array(31)), /32 bytes/);
  assert.equal(toHex(encodeScalar(1n)), '01' + '00'.repeat(31));
  assert.equal(encodeScalar(ORDER + 5n)[0], 5);
});

test('hex is strict lowercase of even length', () => {
  assert.deepEqual([...fromHex('00ff10')], [0, 255, 16]);
  assert.equal(toHex(new Uint8Array([0, 255, 16])), '00ff10');
  assert.throws(() => fromHex('00FF'), /lowercase/);
  assert.throws(() => fromHex('abc'), /even/);
  assert.throws(() => fromHex('zz'), /lowercase hex/);
  assert.throws(() => fromHex32('00'), /64 hex/);
});

test('integers are big-endian', () => {
  assert.equal(toHex(u32(0x01020304)), '01020304');
  assert.equal(toHex(u64(258)), '0000000000000102');
  assert.throws(() => u32(2 ** 32));
});
