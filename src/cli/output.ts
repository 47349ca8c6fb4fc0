import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes a line and waits for the stream to drain when its buffer is full, so large outputs stay bounded. */
export async function writeLine(stream: Writable, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}
