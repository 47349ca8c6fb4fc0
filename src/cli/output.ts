import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** The reader of our output went away (`callbackd validate big.ndjson | head -1`): stop quietly, not with a stack. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

const closed = new WeakSet<Writable>();

/** Notes a broken pipe on a stream (EPIPE arrives as an 'error' event, later than the write that caused it). */
export function watchPipe(stream: Writable): void {
  if (typeof stream.on !== 'function') return;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed.add(stream);
    else throw e;
  });
}

/** Writes a line and waits for the stream to drain when its buffer is full, so large outputs stay bounded. */
export async function writeLine(stream: Writable, line: string): Promise<void> {
  if (closed.has(stream) || stream.destroyed) throw new OutputClosed('output closed');
  if (!stream.write(`${line}\n`)) {
    // A reader that is gone never drains: wait for whichever comes first.
    // (`once` rejects when the stream emits 'error' meanwhile: a broken pipe is that.)
    await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      closed.add(stream);
    });
    if (closed.has(stream) || stream.destroyed) throw new OutputClosed('output closed');
  }
}
