// WAL checkpoints off the event loop. In WAL mode SQLite copies the log back into the database file at the commit
// that makes the log exceed `wal_autocheckpoint` pages (1,000 by default), on the committing thread: here the event
// loop, in the middle of a request. Measured on creates: BEGIN and COMMIT were ~45 µs of each create's ~90 µs in its
// transaction, mostly those copies. A worker thread with a connection of its own runs passive checkpoints instead
// (they never wait for, nor block, a writer or a reader), asked at most every `everyMs` while writes come. The
// writing connection keeps its own checkpoint at a higher mark as a safety net (SqliteStore: if the worker falls
// behind or is gone, nothing grows without bound); it then has only what the worker has not copied yet.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// CommonJS, evaluated as the worker's script: no file to find next to a bundle.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('done');
  } catch {
    // Busy or gone: the next request, or the writer's own checkpoint, does it.
  }
});
`;

export class Checkpointer {
  /** Started by the first write (a server that only reads, and the start, pay nothing). */
  private worker: Worker | undefined;
  private last = 0;
  private closed = false;
  /** Checkpoints the worker finished (for tests and diagnostics). */
  done = 0;

  constructor(
    private readonly file: string,
    private readonly everyMs = 50,
  ) {}

  private start(): Worker {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { file: this.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    worker.unref();
    worker.on('message', () => this.done++);
    // A worker that failed leaves the writer's own checkpoints, as without it.
    worker.on('error', () => (this.closed = true));
    return worker;
  }

  /** Told after each commit: asks for a checkpoint unless one was asked for in the last `everyMs`. */
  wrote(): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    (this.worker ??= this.start()).postMessage('run');
  }

  /** Closes the worker's connection first, so that the writer's close is the last one and removes the log. */
  async close(): Promise<void> {
    const worker = this.worker;
    const failed = this.closed;
    this.closed = true;
    if (worker === undefined) return;
    if (failed) return void (await worker.terminate());
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
