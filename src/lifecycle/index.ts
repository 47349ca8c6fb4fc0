export * from './types.js';
export { LifecycleError, CODES, type ErrorKind } from './errors.js';
export { TABLE, REJECTIONS, type Row, type Trigger } from './table.js';
export {
  createCallback,
  apply,
  advance,
  deadlines,
  nextDeadline,
  legStatus,
  participant,
  activeAgentLegs,
  toCallbackConversation,
  derivedId,
  wrapupCodesOf,
  PROVIDER,
  TIMEOUT_WRAPUP_CODE,
  MAX_SCHEDULE_AHEAD_MS,
} from './engine.js';
export { checkTimeline, durations, type Violation, type Durations } from './timeline.js';
export { renderDiagrams } from './diagram.js';
