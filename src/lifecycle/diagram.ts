// Renders the transition table as Mermaid state diagrams (one for the callback, one for an agent leg).
import { TABLE } from './table.js';

export function renderDiagrams(): string {
  const conversation = ['stateDiagram-v2'];
  const agent = ['stateDiagram-v2'];
  for (const row of TABLE) {
    const label = row.trigger.startsWith('timer:') ? `⏱ ${row.trigger.slice(6)}` : row.trigger;
    if (row.scope === 'conversation') {
      for (const from of row.from) for (const to of row.to) conversation.push(`  ${from === 'new' ? '[*]' : from} --> ${to}: ${label}`);
    } else {
      for (const [from, to] of row.moves ?? []) conversation.push(`  ${from} --> ${to}: ${label} (${row.roles.join('/')})`);
      if (row.roles.includes('agent') && row.id !== 'setAttributes') {
        for (const from of row.from) for (const to of row.to) agent.push(`  ${from} --> ${to}: ${label}`);
      }
    }
  }
  conversation.push('  ended --> [*]');
  agent.splice(1, 0, '  [*] --> alerting: offer');
  agent.push('  done --> [*]');
  const phases = (r: (typeof TABLE)[number]) => (r.scope === 'conversation' ? '' : (r.moves ?? []).map(([a, b]) => `${a}→${b}`).join(', '));
  const rows = TABLE.map(
    (r) =>
      `| ${r.id} | ${r.scope}${r.scope === 'leg' ? ` (${r.roles.join(', ')})` : ''} | ${r.trigger} | ${r.from.join(', ')} | ${r.to.join(', ')} | ${phases(r)} | ${r.rule} | ${r.summary} |`,
  );
  return [
    '### The callback (phase)',
    '',
    '```mermaid',
    ...new Set(conversation),
    '```',
    '',
    '### An agent leg',
    '',
    '```mermaid',
    ...new Set(agent),
    '```',
    '',
    '### The table',
    '',
    '| row | scope | trigger | from | to | callback moves | rule | what |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
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
