// Chain heads (RECORD.md, "Chains"):
//   head_seq = H256("landslide/v1/chain"; head_{seq−1}, shard, u64(seq), u32(count),
//                   kind_1, tracking_1, …, kind_count, tracking_count)
import { u32, u64 } from './bytes.js';
import { h256, TAGS } from './hash.js';

export const KIND = Object.freeze({ cast: 1, spoiled: 2 });
export const GENESIS = new Uint8Array(32);

// `items`: [{ kind: 1|2, tracking: 32 bytes }]
export function chainNext(previous, shard, seq, items) {
  const fields = [previous, shard, u64(seq), u32(items.length)];
  for (const item of items) fields.push(new Uint8Array([item.kind]), item.tracking);
  return h256(TAGS.chain, fields);
}
