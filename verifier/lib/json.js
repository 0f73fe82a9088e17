// Strict JSON: JSON.parse keeps the last of duplicate keys where the C++ side refuses them, so
// two readers could see different records in the same bytes. parseStrict refuses them first.
// Also small helpers that check a parsed object's shape and name what is wrong.

// Throws if any object in `text` has a key twice. Assumes nothing else: JSON.parse runs after.
function checkNoDuplicateKeys(text) {
  const stack = []; // per open container: a Set of keys (objects) or null (arrays)
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) { // '"': scan the string; keep it if it is a key
      const start = i;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c) i++;
        else if (c === 0x22) break;
      }
      if (expectKey) {
        const raw = text.slice(start, i + 1);
        const key = raw.includes('\\') ? JSON.parse(raw) : raw.slice(1, -1);
        const keys = stack[stack.length - 1];
        if (keys.has(key)) throw new Error(`the key "${key}" appears twice in one object`);
        keys.add(key);
        expectKey = false;
      }
    } else if (ch === 0x7b) { // {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b) { // [
      stack.push(null);
    } else if (ch === 0x7d || ch === 0x5d) { // } ]
      stack.pop();
    } else if (ch === 0x2c) { // ,
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
    }
  }
}

export function parseStrict(text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${e.message})`);
  }
  try {
    checkNoDuplicateKeys(text);
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
  return value;
}

export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// `v` must be an object with exactly `keys`.
export function expectKeys(v, keys, what) {
  if (!isObject(v)) throw new Error(`${what} must be an object`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw new Error(`${what} has an unknown key "${k}"`);
  }
  for (const k of keys) if (!(k in v)) throw new Error(`${what} is missing "${k}"`);
}

export function expectString(v, what) {
  if (typeof v !== 'string') throw new Error(`${what} must be a string`);
  return v;
}

export function expectCount(v, what, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new Error(`${what} must be a whole number from 0 to ${max}`);
  }
  return v;
}

export function expectArray(v, what) {
  if (!Array.isArray(v)) throw new Error(`${what} must be a list`);
  return v;
}
