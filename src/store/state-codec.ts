// Stored form of a conversation's state: JSON text in which participants and transfers use the wire codec, and the
// engine's own dates are ISO strings. Reading back checks what it reads, so a corrupt row fails loudly.
import type { CallbackConversationState } from '../lifecycle/index.js';
import {
  decodeCallbackMediaParticipant,
  decodeTransferResponse,
  encodeCallbackMediaParticipant,
  encodeTransferResponse,
  formatDateTime,
  parseDateTime,
} from '../model/index.js';

const iso = (d: Date | undefined) => (d === undefined ? undefined : formatDateTime(d));
function date(s: unknown, what: string): Date {
  const d = typeof s === 'string' ? parseDateTime(s) : undefined;
  if (d === undefined) throw new Error(`stored conversation: ${what} is not a date-time`);
  return d;
}

export function encodeState(s: CallbackConversationState): string {
  return JSON.stringify({
    ...s,
    createdAt: iso(s.createdAt),
    endedAt: iso(s.endedAt),
    participants: s.participants.map(encodeCallbackMediaParticipant),
    recentTransfers: s.recentTransfers.map(encodeTransferResponse),
    calls: s.calls.map((c) => ({ ...c, placedAt: iso(c.placedAt), endedAt: iso(c.endedAt) })),
  });
}

export function decodeState(text: string): CallbackConversationState {
  const raw = JSON.parse(text) as Record<string, unknown> & {
    participants: unknown[];
    recentTransfers: unknown[];
    calls: Record<string, unknown>[];
  };
  const participants = raw.participants.map((p, i) => {
    const r = decodeCallbackMediaParticipant(p);
    if (!r.ok) throw new Error(`stored conversation: participant ${i}: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    return r.value;
  });
  const recentTransfers = raw.recentTransfers.map((t, i) => {
    const r = decodeTransferResponse(t);
    if (!r.ok) throw new Error(`stored conversation: transfer ${i} is corrupt`);
    return r.value;
  });
  return {
    ...(raw as unknown as CallbackConversationState),
    createdAt: date(raw.createdAt, 'createdAt'),
    ...(raw.endedAt !== undefined ? { endedAt: date(raw.endedAt, 'endedAt') } : {}),
    participants,
    recentTransfers,
    calls: raw.calls.map((c) => ({
      ...(c as unknown as CallbackConversationState['calls'][number]),
      placedAt: date(c.placedAt, 'placedAt'),
      ...(c.endedAt !== undefined ? { endedAt: date(c.endedAt, 'endedAt') } : {}),
    })),
  };
}
