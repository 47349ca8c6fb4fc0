// Reads what `validate` and `normalize` are given: one JSON document (a participant, an array of them, or a
// conversation), or NDJSON (one document a line), streamed line by line so that large files are never held whole.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type RawDocument =
  { index: number; line?: number; ok: true; value: unknown } | { index: number; line?: number; ok: false; error: string };

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * The documents of a stream. If its first non-empty line is a whole JSON value, the input is NDJSON and is
 * streamed; otherwise the input is read whole as one JSON document (a pretty-printed file). A whole input that does
 * not parse but whose other lines do is still treated as NDJSON, so one bad line does not hide the rest.
 */
export async function* readDocuments(input: Readable): AsyncGenerator<RawDocument> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let mode: 'undecided' | 'ndjson' | 'whole' = 'undecided';
  const buffered: string[] = [];
  let index = 0;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the JSON.
    const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (mode === 'whole') {
      buffered.push(line);
      continue;
    }
    if (line.trim() === '') {
      if (mode === 'undecided') buffered.push(line);
      continue;
    }
    if (mode === 'undecided') {
      const first = tryParse(line);
      if (first.ok) {
        mode = 'ndjson';
        buffered.length = 0;
        yield { index: index++, line: lineNo, ...first };
      } else {
        mode = 'whole';
        buffered.push(line);
      }
      continue;
    }
    yield { index: index++, line: lineNo, ...tryParse(line) };
  }
  if (mode !== 'whole') return;
  const whole = tryParse(buffered.join('\n'));
  if (whole.ok) {
    yield { index: 0, ...whole };
    return;
  }
  const perLine = buffered.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim() !== '');
  if (perLine.length > 1 && perLine.slice(1).some((l) => tryParse(l.text).ok)) {
    for (const l of perLine) yield { index: index++, line: l.line, ...tryParse(l.text) };
  } else {
    yield { index: 0, ok: false, error: whole.error };
  }
}
