// Who may do what to a callback, as one table (docs/access.md renders it; a test tries every cell). A client
// (client-credentials) token acts for the organization; a user token acts as an agent, by how they stand in the
// conversation: on it now (an agent leg not over), in its after-call work, done with it (their legs over: declined,
// not responding, transferred away, wrapped up), or never in it.
import { ERRORS, ServiceError, type ErrorEntry } from '../errors.js';
import { activeLegOf, legStatus, type CallbackConversationState } from '../lifecycle/index.js';
import type { Principal } from './principal.js';

export type Standing = 'client' | 'onIt' | 'inAcw' | 'done' | 'never';
export const STANDINGS: readonly Standing[] = ['client', 'onIt', 'inAcw', 'done', 'never'];

export type Action =
  'read' | 'end' | 'update' | 'assign' | 'recording' | 'ownLeg' | 'otherAgentLeg' | 'partyLeg' | 'readOtherAgentLeg' | 'readPartyLeg';

/** A cell: allowed, allowed only to the callback's owner (its preferred agent), or refused with this error. */
export type Cell = 'allow' | 'owner' | ErrorEntry;

export interface AccessRow {
  action: Action;
  /** What it covers, in words (the docs print it). */
  covers: string;
  cells: Readonly<Record<Standing, Cell>>;
}

const deny = ERRORS.notAuthorized;
const stranger = ERRORS.notParticipant;
const N_A = ERRORS.notAuthorized;

export const ACCESS: readonly AccessRow[] = [
  {
    action: 'read',
    covers: 'read a callback or conversation (GET)',
    cells: { client: 'allow', onIt: 'allow', inAcw: 'allow', done: 'allow', never: 'allow' },
  },
  {
    action: 'end',
    covers: 'end the whole callback (PATCH /callbacks/{id}, DELETE /conversations/{id}, POST .../disconnect, bulk disconnect)',
    cells: { client: 'allow', onIt: 'allow', inAcw: deny, done: deny, never: deny },
  },
  {
    action: 'update',
    covers: 'reschedule or edit a callback not yet delivered (PATCH /callbacks, bulk update)',
    cells: { client: 'allow', onIt: 'owner', inAcw: 'owner', done: 'owner', never: 'owner' },
  },
  {
    action: 'assign',
    covers: 'offer the callback to an agent (POST .../assign)',
    cells: { client: 'allow', onIt: deny, inAcw: deny, done: deny, never: deny },
  },
  {
    action: 'recording',
    covers: 'set the recording state',
    cells: { client: 'allow', onIt: 'allow', inAcw: deny, done: deny, never: deny },
  },
  {
    action: 'ownLeg',
    covers: "change one's own agent leg: answer, hold, park, disconnect, wrap up, attributes, replace, a callback from it",
    cells: { client: 'allow', onIt: 'allow', inAcw: 'allow', done: 'allow', never: N_A },
  },
  {
    action: 'otherAgentLeg',
    covers: "change another agent's leg (the same operations)",
    cells: { client: 'allow', onIt: deny, inAcw: deny, done: deny, never: stranger },
  },
  {
    action: 'partyLeg',
    covers: 'change the customer or ACD leg: disconnect it (ends the callback), attributes, a callback from it',
    cells: { client: 'allow', onIt: 'allow', inAcw: deny, done: deny, never: stranger },
  },
  {
    action: 'readOtherAgentLeg',
    covers: "read another agent's wrap-up or wrap-up codes",
    cells: { client: 'allow', onIt: deny, inAcw: deny, done: deny, never: stranger },
  },
  {
    action: 'readPartyLeg',
    covers: "read the customer's or ACD leg's wrap-up or wrap-up codes",
    cells: { client: 'allow', onIt: 'allow', inAcw: 'allow', done: 'allow', never: stranger },
  },
];

/** How the caller stands in the conversation. */
export function standing(p: Principal, state: CallbackConversationState): Standing {
  const user = p.userId;
  if (user === undefined) return 'client';
  if (activeLegOf(state, user) !== undefined) return 'onIt';
  const mine = state.participants.filter((x) => x.purpose === 'agent' && x.user?.id === user);
  if (mine.length === 0) return 'never';
  return mine.some((x) => legStatus(state, x.id as string) === 'acw') ? 'inAcw' : 'done';
}

/** The action a participant operation is, for this caller: on their own leg, another agent's, or a party's. */
export function participantAction(p: Principal, state: CallbackConversationState, participantId: string, read: boolean): Action {
  const target = state.participants.find((x) => x.id === participantId);
  if (target?.purpose === 'agent') {
    if (p.userId !== undefined && target.user?.id === p.userId) return 'ownLeg';
    return read ? 'readOtherAgentLeg' : 'otherAgentLeg';
  }
  return read ? 'readPartyLeg' : 'partyLeg';
}

const MESSAGES: Partial<Record<Action, string>> = {
  end: 'Only an agent on the callback (or a client token) may end it.',
  update: "Only the callback's owner (its preferred agent) or a client token may change a scheduled callback.",
  assign: 'Only a client token may assign a callback to an agent.',
  recording: 'Only an agent on the callback (or a client token) may change its recording.',
  otherAgentLeg: "A user may only act on their own participant; this one is another agent's.",
  readOtherAgentLeg: "A user may only read their own participant's wrap-up; this one is another agent's.",
  partyLeg: 'Only an agent on the callback (or a client token) may act on its customer or ACD participant.',
};

/** Refuses the action unless the table allows it (the one place access is decided). */
export function checkAccess(p: Principal, state: CallbackConversationState, action: Action): void {
  const s = standing(p, state);
  const cell = (ACCESS.find((r) => r.action === action) as AccessRow).cells[s];
  if (cell === 'allow') return;
  if (cell === 'owner') {
    if (p.userId !== undefined && state.routing.preferredAgentIds.includes(p.userId)) return;
    throw new ServiceError(ERRORS.notAuthorized, MESSAGES.update as string);
  }
  if (cell === ERRORS.notParticipant) throw new ServiceError(cell, 'User is not a participant in the conversation.');
  throw new ServiceError(cell, MESSAGES[action] ?? 'Not authorized.');
}

const LABEL: Record<Standing, string> = {
  client: 'client token',
  onIt: 'agent on it',
  inAcw: 'agent in its ACW',
  done: 'agent done with it',
  never: 'agent never on it',
};

/** docs/access.md (`npm run gen`). */
export function renderAccess(): string {
  const cell = (c: Cell) => (c === 'allow' ? 'yes' : c === 'owner' ? 'its owner only' : `\`${c.code}\``);
  return [
    '# Who may do what',
    '',
    'Generated from the access table (`src/service/access.ts`) by `npm run gen`; `test/api/access.test.ts` tries every',
    'cell over HTTP. A client token (client credentials) acts for the organization. A user token acts as an agent, by',
    'how the agent stands in the callback: **on it** (an agent leg alerting, connected, held or parked), **in its ACW**',
    '(their leg ended, after-call work pending), **done with it** (their legs over: declined, not responding,',
    'transferred away, wrapped up) or **never on it**. "Its owner" is the callback\'s preferred agent. Where a cell is',
    'not `yes`, the request is refused with that code and nothing changes. Each organization sees only its own data',
    "(another organization's ids are 404).",
    '',
    `| action | ${STANDINGS.map((s) => LABEL[s]).join(' | ')} |`,
    `| --- |${STANDINGS.map(() => ' --- |').join('')}`,
    ...ACCESS.map((r) => `| ${r.covers} | ${STANDINGS.map((s) => cell(r.cells[s])).join(' | ')} |`),
    '',
    'Placing the call (`POST /conversations/calls/{id}`) needs a user token (`400 not.a.user`) with a live agent leg in',
    'the callback (`403 conversation.error.forbidden.not.active.participant`).',
    '',
  ].join('\n');
}
