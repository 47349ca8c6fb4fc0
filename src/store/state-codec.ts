// Stored form of a conversation's state: JSON text in which participants and transfers are in their wire form
// (written by the codec's compiled text writers) and the engine's own dates are ISO strings. It is the service's own
// data, so reading it back is trusted: no re-validation, only what must be converted (dates, unknown properties);
// a row that is not what we write (unparseable, a bad date, a missing list) still fails loudly, naming what.
import type { CallbackConversationState } from '../lifecycle/index.js';
import {
  formatDateTime,
  parseDateTime,
  readTrustedModel,
  stringifyCallbackMediaParticipant,
  stringifyTransferResponse,
  type CallbackMediaParticipant,
  type TransferResponse,
} from '../model/core.js';

const iso = (d: Date | undefined) => (d === undefined ? undefined : formatDateTime(d));
function date(s: unknown, what: string): Date {
  const d = typeof s === 'string' ? parseDateTime(s) : undefined;
  if (d === undefined) throw new Error(`stored conversation: ${what} is not a date-time`);
  return d;
}
function list(x: unknown, what: string): object[] {
  if (!Array.isArray(x)) throw new Error(`stored conversation: ${what} is not a list`);
  return x as object[];
}

export function encodeState(s: CallbackConversationState): string {
  const { participants, recentTransfers, ...rest } = s;
  const head = JSON.stringify({
    ...rest,
    createdAt: iso(s.createdAt),
    endedAt: iso(s.endedAt),
    calls: s.calls.map((c) => ({ ...c, placedAt: iso(c.placedAt), endedAt: iso(c.endedAt) })),
  });
  // The head always has properties (id, version...), so the lists follow a comma.
  return `${head.slice(0, -1)},"participants":[${participants.map(stringifyCallbackMediaParticipant).join(',')}],"recentTransfers":[${recentTransfers
    .map(stringifyTransferResponse)
    .join(',')}]}`;
}

export function decodeState(text: string): CallbackConversationState {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const read =
    <T>(model: 'CallbackMediaParticipant' | 'TransferResponse', what: string) =>
    (x: object, i: number) => {
      try {
        return readTrustedModel<T>(model, x);
      } catch (e) {
        throw new Error(`stored conversation: ${what} ${i}: ${(e as Error).message}`);
      }
    };
  return {
    ...(raw as unknown as CallbackConversationState),
    createdAt: date(raw.createdAt, 'createdAt'),
    ...(raw.endedAt !== undefined ? { endedAt: date(raw.endedAt, 'endedAt') } : {}),
    participants: list(raw.participants, 'participants').map(read<CallbackMediaParticipant>('CallbackMediaParticipant', 'participant')),
    recentTransfers: list(raw.recentTransfers, 'recentTransfers').map(read<TransferResponse>('TransferResponse', 'transfer')),
    calls: (list(raw.calls, 'calls') as Record<string, unknown>[]).map((c) => ({
      ...(c as unknown as CallbackConversationState['calls'][number]),
      placedAt: date(c.placedAt, 'placedAt'),
      ...(c.endedAt !== undefined ? { endedAt: date(c.endedAt, 'endedAt') } : {}),
    })),
  };
}

const PARTICIPANTS = ',"participants":[';
const NO_TRANSFERS = '],"recentTransfers":[]}';

/**
 * The wire text of a stored conversation's callback view (`toCallbackConversation(decodeState(text))` written by the
 * codec), made from the stored text without decoding it: the participants are stored in their wire form already.
 * The first `,"participants":[` is the list's own (what precedes it is the engine's fields, whose objects have no
 * such key and whose strings cannot hold an unescaped quote). With transfers (rare) it gives undefined: where the
 * participants end could then not be told from the text alone, and the caller decodes; so it does for a text whose
 * head has no `calls` (the first releases wrote the lists before the legs and calls: not this layout).
 */
export function callbackConversationText(id: string, text: string): string | undefined {
  const at = text.indexOf(PARTICIPANTS);
  if (at < 0 || !text.endsWith(NO_TRANSFERS)) return undefined;
  const head = text.slice(0, at);
  const calls = head.includes('"calls":[]') ? false : head.includes('"calls":[{') ? true : undefined;
  if (calls === undefined) return undefined;
  const participants = text.slice(at + PARTICIPANTS.length, text.length - NO_TRANSFERS.length);
  const q = JSON.stringify(id).slice(1, -1);
  return `{"id":"${q}","participants":[${participants}],"otherMediaUris":[${calls ? `"/api/v2/conversations/calls/${q}"` : ''}],"recentTransfers":[],"divisions":[],"selfUri":"/api/v2/conversations/callbacks/${q}"}`;
}
