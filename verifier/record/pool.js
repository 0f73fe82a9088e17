// A fixed set of verification workers (worker.js). Chunks go to the workers in turn; results
// come back as promises, which the caller awaits in the order it sent the chunks.
import { Worker } from 'node:worker_threads';

export class WorkerPool {
  constructor(size, workerData) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData });
      w.pending = new Map();
      w.on('message', (msg) => {
        const p = w.pending.get(msg.id);
        w.pending.delete(msg.id);
        p.resolve(msg);
      });
      w.on('error', (e) => {
        for (const p of w.pending.values()) p.reject(e);
        w.pending.clear();
      });
      return w;
    });
    this.next = 0;
    this.ids = 0;
  }

  get size() {
    return this.workers.length;
  }

  send(worker, msg) {
    const id = ++this.ids;
    return new Promise((resolve, reject) => {
      worker.pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  }

  // Checks a chunk of ballot lines; resolves to { items, failure }.
  check(lines, spoiled) {
    const w = this.workers[this.next];
    this.next = (this.next + 1) % this.workers.length;
    return this.send(w, { lines, spoiled });
  }

  // Decodes a list of credentials (hex); resolves to { failure }.
  checkCredentials(credentials) {
    const w = this.workers[this.next];
    this.next = (this.next + 1) % this.workers.length;
    return this.send(w, { credentials });
  }

  // Every worker's sums of cast ciphertexts.
  finish() {
    return Promise.all(this.workers.map((w) => this.send(w, { finish: true })));
  }

  close() {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}
