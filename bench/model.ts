// npm run bench [-- --json]: decode+validate from JSON text against a JSON.parse floor, and encode to JSON text
// against a JSON.stringify-of-the-wire-object floor, on the all-properties fixture and on a minimal participant.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  decodeCallbackMediaParticipant,
  encodeCallbackMediaParticipant,
  stringifyCallbackMediaParticipant,
  type CallbackMediaParticipant,
} from '../src/index.js';
import { compare, print, type Figure } from './report.js';

const json = process.argv.includes('--json');
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url)), 'utf8');

const inputs: Record<string, string> = {
  'f4-all-properties': JSON.stringify(JSON.parse(fixture('f4-all-properties.json'))),
  minimal: JSON.stringify({ id: '802e7979-f20b-443d-a5d5-577a5ca0bf18', purpose: 'customer', state: 'connected' }),
};

let sink: unknown;
const figures: Figure[] = [];
for (const [label, text] of Object.entries(inputs)) {
  const decoded = decodeCallbackMediaParticipant(JSON.parse(text));
  if (!decoded.ok) throw new Error(`${label} does not decode`);
  const value: CallbackMediaParticipant = decoded.value;
  const wire = encodeCallbackMediaParticipant(value);
  if (stringifyCallbackMediaParticipant(value) !== JSON.stringify(wire)) throw new Error(`${label}: writers disagree`);
  figures.push(
    await compare(
      `decode/${label}`,
      () => (sink = decodeCallbackMediaParticipant(JSON.parse(text))),
      'JSON.parse',
      () => (sink = JSON.parse(text)),
    ),
    await compare(
      `encode/${label}`,
      () => (sink = stringifyCallbackMediaParticipant(value)),
      'JSON.stringify(wire)',
      () => (sink = JSON.stringify(wire)),
    ),
    await compare(
      `encode-object/${label}`,
      () => (sink = JSON.stringify(encodeCallbackMediaParticipant(value))),
      'JSON.stringify(wire)',
      () => (sink = JSON.stringify(wire)),
    ),
  );
  if (!json) print(figures.slice(-3), false);
}
if (json) print(figures, true);
void sink;
