// What a document is and how it is checked: a participant, an array of participants, or a conversation (an object
// with `participants`), each decoded by the model layer.
import {
  decodeCallbackConversation,
  decodeCallbackMediaParticipant,
  stringifyCallbackConversation,
  stringifyCallbackMediaParticipant,
  type CallbackConversation,
  type CallbackMediaParticipant,
  type DecodeOptions,
  type Issue,
} from '../model/core.js';

export type Checked =
  | { kind: 'participant'; value: CallbackMediaParticipant }
  | { kind: 'participants'; value: CallbackMediaParticipant[] }
  | { kind: 'conversation'; value: CallbackConversation };

export interface CheckResult {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
  checked?: Checked;
}

const isConversation = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, 'participants');

export function checkDocument(value: unknown, options: DecodeOptions): CheckResult {
  if (Array.isArray(value)) {
    const errors: Issue[] = [];
    const warnings: Issue[] = [];
    const out: CallbackMediaParticipant[] = [];
    value.forEach((item, i) => {
      const r = decodeCallbackMediaParticipant(item, options);
      const prefix = (issue: Issue) => ({ path: `/${i}${issue.path}`, message: issue.message });
      warnings.push(...r.warnings.map(prefix));
      if (r.ok) out.push(r.value);
      else errors.push(...r.errors.map(prefix));
    });
    return errors.length > 0
      ? { valid: false, errors, warnings }
      : { valid: true, errors, warnings, checked: { kind: 'participants', value: out } };
  }
  if (isConversation(value)) {
    const r = decodeCallbackConversation(value, options);
    return r.ok
      ? { valid: true, errors: [], warnings: [...r.warnings], checked: { kind: 'conversation', value: r.value } }
      : { valid: false, errors: [...r.errors], warnings: [...r.warnings] };
  }
  const r = decodeCallbackMediaParticipant(value, options);
  return r.ok
    ? { valid: true, errors: [], warnings: [...r.warnings], checked: { kind: 'participant', value: r.value } }
    : { valid: false, errors: [...r.errors], warnings: [...r.warnings] };
}

export function canonicalText(checked: Checked): string {
  switch (checked.kind) {
    case 'participant':
      return stringifyCallbackMediaParticipant(checked.value);
    case 'participants':
      return `[${checked.value.map(stringifyCallbackMediaParticipant).join(',')}]`;
    case 'conversation':
      return stringifyCallbackConversation(checked.value);
  }
}
