// Reading a file line by line without holding it in memory (readline pauses the file while
// its consumer is busy).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

// Every line of the file at `path`; a final empty line is not one.
export function readLines(path) {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}
