export * from './types.js';
export { LifecycleError, CODES, type ErrorKind } from './errors.js';
export {
  TABLE,
  ROWS,
  TIMERS,
  MAX_SCHEDULE_AHEAD_MS,
  MAX_PARK_MS,
  isRefusal,
  type AnyRow,
  type Row,
  type RefusalRow,
  type Trigger,
  type Timer,
} from './table.js';
export {
  createCallback,
  apply,
  advance,
  fireTimer,
  deadlines,
  nextDeadline,
  selectRow,
  toCallbackConversation,
  interpreter,
  type Engine,
} from './engine.js';
export { derivedId, PROVIDER, TIMEOUT_WRAPUP_CODE } from './effects.js';
export {
  participant,
  byRole,
  legStatus,
  activeAgentLegs,
  activeLegOf,
  hasTakenPart,
  busyAgentIds,
  wrapupCodesOf,
  TIMED_PROMPTS,
} from './state.js';
export { conversationIndex, AGENT_OWNED_FLAG, type ConversationIndex } from './conversation-index.js';
export { ROUTING_TABLE, INITIAL_ROUTING_STATUS, routingStatusChanges, routingSubjects, type RoutingRow } from './routing-status.js';
export { checkTimeline, durations, type Violation, type Durations } from './timeline.js';
export { renderDiagrams } from './diagram.js';
