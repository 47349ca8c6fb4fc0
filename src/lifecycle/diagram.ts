// Renders the transition table (and the routing-status table) as Mermaid state diagrams and Markdown tables: only
// the moves the rows make, each as exactly as the row states it.
import { ROUTING_TABLE } from './routing-status.js';
import { TABLE, TIMERS, isRefusal, type AnyRow, type Row } from './table.js';

const label = (trigger: string) => (trigger.startsWith('timer:') ? `⏱ ${trigger.slice(6)}` : trigger);
const node = (s: string) => (s === 'new' ? '[*]' : s);
const cell = (s: string) => s.replace(/\|/g, '\\|');

function phaseDiagram(rows: readonly Row[]): string[] {
  const lines = ['stateDiagram-v2'];
  for (const row of rows) {
    if (row.scope === 'conversation') for (const from of row.from) lines.push(`  ${node(from)} --> ${row.to}: ${label(row.trigger)}`);
    else for (const [from, to] of row.moves ?? []) lines.push(`  ${from} --> ${to}: ${label(row.trigger)} (${row.roles.join('/')})`);
  }
  lines.push('  ended --> [*]');
  return [...new Set(lines)];
}

function agentDiagram(rows: readonly Row[]): string[] {
  const lines = ['stateDiagram-v2', '  [*] --> alerting: offer'];
  for (const row of rows) {
    if (row.scope !== 'leg' || !row.roles.includes('agent') || row.id === 'setAttributes') continue;
    for (const from of row.from) lines.push(`  ${from} --> ${row.to === 'same' ? from : row.to}: ${label(row.trigger)}`);
  }
  lines.push('  done --> [*]');
  return [...new Set(lines)];
}

function routingDiagram(): string[] {
  const lines = ['stateDiagram-v2', '  [*] --> OFF_QUEUE', '  OFF_QUEUE --> IDLE: PUT routingstatus'];
  for (const row of ROUTING_TABLE) for (const from of row.from) lines.push(`  ${from} --> ${row.to}: ${row.on}`);
  lines.push('  NOT_RESPONDING --> IDLE: PUT routingstatus');
  return lines;
}

const scopeOf = (r: AnyRow) => (r.scope === 'leg' ? `leg (${(r.roles ?? []).join(', ')})` : 'callback');
const outcome = (r: Row) =>
  r.scope === 'conversation' ? r.to : `${r.to}${r.moves !== undefined ? `; ${r.moves.map(([a, b]) => `${a}→${b}`).join(', ')}` : ''}`;

export function renderDiagrams(): string {
  const rows = TABLE.filter((r): r is Row => !isRefusal(r));
  const refusals = TABLE.filter(isRefusal);
  return [
    '### The callback (phase)',
    '',
    '```mermaid',
    ...phaseDiagram(rows),
    '```',
    '',
    '### An agent leg',
    '',
    '```mermaid',
    ...agentDiagram(rows),
    '```',
    '',
    "### An agent's routing status",
    '',
    '```mermaid',
    ...routingDiagram(),
    '```',
    '',
    '### The rows',
    '',
    'One row applies to each trigger in each state: its guard picks it; its checks refuse with their code; the outcome is',
    'exact (the leg status it ends in; how the callback moves).',
    '',
    '| row | scope | trigger | from | guard | checks | outcome | rule | what |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${scopeOf(r)} | ${r.trigger} | ${r.from.join(', ')} | ${cell(r.guard?.text ?? '')} | ${cell(
          (r.checks ?? []).map((c) => `${c.text} (else \`${c.refuse.code}\`)`).join('; '),
        )} | ${outcome(r)} | ${r.rule} | ${cell(r.summary)} |`,
    ),
    '',
    '### Refusals with their own code',
    '',
    'Any other trigger in a state no row lists is refused with `conversation.error.invalid.state` (409).',
    '',
    '| row | scope | trigger | from | guard | code | kind |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...refusals.map(
      (r) =>
        `| ${r.id} | ${scopeOf(r)} | ${r.trigger} | ${r.from.join(', ')} | ${cell(r.guard?.text ?? '')} | \`${r.refuse.code}\` | ${r.refuse.kind} |`,
    ),
    '',
    '### Timers',
    '',
    '| timer | runs in | rule |',
    '| --- | --- | --- |',
    ...TIMERS.map((t) => `| ${t.kind} | ${t.scope === 'leg' ? 'agent leg ' : 'callback '}${t.from.join(', ')} | ${t.rule} |`),
    '',
    '### Routing-status rows',
    '',
    '| row | on | from | to | rule | what |',
    '| --- | --- | --- | --- | --- | --- |',
    ...ROUTING_TABLE.map((r) => `| ${r.id} | ${r.on} | ${r.from.join(', ')} | ${r.to} | ${r.rule} | ${cell(r.summary)} |`),
  ].join('\n');
}

export const DIAGRAM_BEGIN = '<!-- BEGIN GENERATED: transition table (npm run gen) -->';
export const DIAGRAM_END = '<!-- END GENERATED -->';

/** The doc with its generated section replaced by the current rendering. */
export function withDiagrams(doc: string): string {
  const start = doc.indexOf(DIAGRAM_BEGIN);
  const end = doc.indexOf(DIAGRAM_END);
  if (start < 0 || end < start) throw new Error('docs/lifecycle.md lacks the generated-section markers');
  return `${doc.slice(0, start + DIAGRAM_BEGIN.length)}\n${renderDiagrams()}\n${doc.slice(end)}`;
}
