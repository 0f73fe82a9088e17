import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bytesToNumberLE, fromHex, toHex, u32 } from '../lib/bytes.js';
import { ORDER } from '../lib/group.js';
import { framed, h256, h512, hs } from '../lib/hash.js';
import { chainNext } from '../lib/chain.js';
import { credentialSecret } from '../lib/build.js';

const sha = (name, bytes) => new Uint8Array(createHash(name).update(bytes).digest());

test('fields are framed with 4-byte big-endian lengths, the tag first', () => {
  assert.equal(toHex(framed('ab', [new Uint8Array([1, 2, 3]), 'é', u32(7), new Uint8Array(0)])),
    '00000002' + '6162' + '00000003' + '010203' + '00000002' + 'c3a9' + '00000004' + '00000007' + '00000000');
});

test('H512, Hs and H256 hash the framed bytes', () => {
  const fields = [fromHex('00ff'), 'voter'];
  const bytes = framed('tag', fields);
  assert.deepEqual(h512('tag', fields), sha('sha512', bytes));
  assert.deepEqual(h256('tag', fields), sha('sha256', bytes));
  assert.equal(hs('tag', fields), bytesToNumberLE(sha('sha512', bytes)) % ORDER);
});

test('credential derivation and chain links follow the framing', () => {
  const expected = bytesToNumberLE(sha('sha512', fromHex(
    '00000017' + toHex(new TextEncoder().encode('landslide/v1/credential')) +
    '00000001' + '45' + '00000011' + toHex(new TextEncoder().encode('163uc-3NQXD-Wgfgg'))))) % ORDER;
  assert.equal(credentialSecret('E', '163uc-3NQXD-Wgfgg'), expected);

  const prev = new Uint8Array(32).fill(1), tracking = new Uint8Array(32).fill(2);
  const chainBytes = fromHex(
    '00000012' + toHex(new TextEncoder().encode('landslide/v1/chain')) +
    '00000020' + '01'.repeat(32) + '00000001' + '73' + '00000008' + '0000000000000005' +
    '00000004' + '00000001' + '00000001' + '02' + '00000020' + '02'.repeat(32));
  assert.deepEqual(chainNext(prev, 's', 5, [{ kind: 2, tracking }]), sha('sha256', chainBytes));
});
