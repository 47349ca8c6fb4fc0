// The callback conversation as the lifecycle engine keeps it: the participants in model types, plus what the model
// does not carry (the callback's own phase, including `scheduled`; per-leg bookkeeping; placed calls; a version).
import type {
  CallbackMediaParticipant,
  ParticipantWrapupPrompt,
  TransferRequestTransferType,
  TransferResponse,
  WrapupInput,
} from '../model/core.js';

/** The callback's own state. `scheduled` exists here although CallbackMediaParticipant.state has no such value. */
export type Phase = 'scheduled' | 'queued' | 'offered' | 'active' | 'ended';

/** Status of an agent leg, as the transition table names it. */
export type LegStatus = 'alerting' | 'connected' | 'held' | 'parked' | 'acw' | 'done';

/** Wrap-up prompt modes of a participant (R-WRAP-1), as the schema spells them. */
export type WrapupPrompt = ParticipantWrapupPrompt;

export interface WrapupCodeRef {
  id: string;
  name: string;
}

/** What the engine needs to know of a queue; a snapshot taken when the callback enters that queue. */
export interface QueueSettings {
  id: string;
  name?: string;
  /** `mediaSettings.callback.alertingTimeoutSeconds` × 1000. */
  alertingTimeoutMs: number;
  /** `mediaSettings.callback.enableAutoAnswer`. */
  autoAnswer: boolean;
  /** `mediaSettings.callback.enableAutoDialAndEnd` with its delays, when on. */
  autoDialAndEnd?: { dialDelaySeconds: number; endDelaySeconds: number };
  /** From `acwSettings`: the participant's wrapupPrompt and, for timed modes, wrapupTimeoutMs. */
  wrapupPrompt: WrapupPrompt;
  wrapupTimeoutMs?: number;
  /** Wrap-up codes configured on the queue; an applied code must be one of them. */
  wrapupCodes: readonly WrapupCodeRef[];
}

export interface AgentRef {
  id: string;
  name?: string;
}

export type LegRole = 'customer' | 'acd' | 'agent';

/** Bookkeeping of one participant that the model has no field for. */
export interface LegInfo {
  role: LegRole;
  /** Id of the participant's callback communication (`{communicationId}`, CallbackIdentifier.id). */
  communicationId: string;
  /** For agent legs: after-call work. `none` before disconnect or when no ACW applies. */
  acw?: 'none' | 'pending' | 'complete' | 'skipped';
  /** The agent asked for ACW (agentRequested mode). */
  acwRequested?: boolean;
  /** A wrap-up code was applied but forcedTimeout keeps ACW open until the timer. */
  wrapupApplied?: boolean;
  /** For agent legs: the wrap-up codes of the queue the leg was offered from (a transfer does not change them). */
  wrapupCodes?: readonly WrapupCodeRef[];
  /** Accumulated hold and park time (ms), which the participant's own times cannot tell once they end. */
  heldMs?: number;
  parkedMs?: number;
  /** For an agent leg a transfer created: the entry of recentTransfers it completes when answered. */
  transferId?: string;
}

/** A voice call placed to the customer from the callback (R-DL-1). */
export interface PlacedCall {
  id: string;
  number: string;
  placedBy: string;
  placedAt: Date;
  automatic: boolean;
  endedAt?: Date;
}

export interface CallbackConversationState {
  id: string;
  /** Incremented by every accepted change; the store uses it for conflict checks. */
  version: number;
  /** Counter behind the deterministic ids of new participants, communications and calls. */
  seq: number;
  phase: Phase;
  createdAt: Date;
  queue: QueueSettings;
  /** Preferred agents (agent-owned callbacks) and routing flags, kept for the router. */
  routing: { priority: number; preferredAgentIds: string[]; routingFlags: string[] };
  callerId?: string;
  callerIdName?: string;
  countryCode?: string;
  participants: CallbackMediaParticipant[];
  legs: Record<string, LegInfo>;
  calls: PlacedCall[];
  recentTransfers: TransferResponse[];
  endedAt?: Date;
}

// ---- commands ----

export interface CreateCommand {
  type: 'create';
  conversationId: string;
  queue: QueueSettings;
  callbackNumbers: string[];
  callbackUserName?: string;
  /** Absent or not in the future: queued at once (R-CRT-3). */
  callbackScheduledTime?: Date;
  /** Copied into the participants' attributes (R-ID-4). */
  data?: Record<string, string>;
  scriptId?: string;
  skipEnabled?: boolean;
  timeoutSeconds?: number;
  priority?: number;
  skillIds?: string[];
  languageId?: string;
  label?: string;
  preferredAgentIds?: string[];
  routingFlags?: string[];
  externalCampaign?: boolean;
  automatedCallbackConfigId?: string;
  countryCode?: string;
  callerId?: string;
  callerIdName?: string;
}

export type TransferTarget = { kind: 'agent'; agent: AgentRef } | { kind: 'queue'; queue: QueueSettings };

export type Command =
  | {
      type: 'update';
      callbackScheduledTime?: Date;
      callbackNumbers?: string[];
      queue?: QueueSettings;
      preferredAgentId?: string;
      countryCode?: string;
    }
  | { type: 'offer'; agent: AgentRef }
  | { type: 'answer'; participantId: string }
  | { type: 'decline'; participantId: string }
  | { type: 'placeCall'; participantId: string; number: string }
  | { type: 'endCall'; participantId: string }
  | { type: 'skip'; participantId: string }
  | { type: 'hold'; participantId: string }
  | { type: 'unhold'; participantId: string }
  | { type: 'park'; participantId: string; resumeTime: Date }
  | { type: 'resume'; participantId: string }
  | {
      type: 'transfer';
      participantId: string;
      to: TransferTarget;
      initiatorUserId?: string;
      /** As the request gave it; absent means Unattended (the API's default). */
      transferType?: TransferRequestTransferType;
    }
  | { type: 'disconnect'; participantId: string }
  | { type: 'disconnectAll'; teardown?: boolean }
  | { type: 'requestAcw'; participantId: string }
  | { type: 'wrapup'; participantId: string; wrapup: WrapupInput }
  | { type: 'skipWrapup'; participantId: string }
  | { type: 'setAttributes'; participantId: string; attributes: Record<string, string> };

export type CommandType = Command['type'];

/** What the clock does: the time-driven transitions, each at a deadline the conversation exposes. */
export type TimerKind = 'due' | 'alertTimeout' | 'autoDial' | 'autoEnd' | 'parkResume' | 'wrapupTimeout';

export interface Deadline {
  at: Date;
  kind: TimerKind;
  participantId?: string;
}

// ---- events ----

export type LifecycleEvent =
  | { type: 'created'; at: Date; scheduled: boolean }
  | { type: 'updated'; at: Date }
  | { type: 'queued'; at: Date; queueId: string }
  | { type: 'offered'; at: Date; participantId: string; userId: string }
  | { type: 'answered'; at: Date; participantId: string; userId: string; automatic: boolean }
  | { type: 'declined'; at: Date; participantId: string; userId: string }
  | { type: 'notResponding'; at: Date; participantId: string; userId: string }
  | { type: 'callPlaced'; at: Date; participantId: string; callId: string; number: string; automatic: boolean }
  | { type: 'callEnded'; at: Date; participantId: string; callId: string }
  | { type: 'held'; at: Date; participantId: string }
  | { type: 'unheld'; at: Date; participantId: string }
  | { type: 'parked'; at: Date; participantId: string; resumeTime: Date }
  | { type: 'resumed'; at: Date; participantId: string; automatic: boolean }
  | { type: 'transferred'; at: Date; participantId: string; to: { userId?: string; queueId?: string } }
  | { type: 'disconnected'; at: Date; participantId: string; disconnectType: string }
  | { type: 'acwStarted'; at: Date; participantId: string; userId: string }
  | { type: 'wrapupApplied'; at: Date; participantId: string; code?: string; provisional: boolean }
  | { type: 'wrapupSkipped'; at: Date; participantId: string }
  | { type: 'wrapupTimedOut'; at: Date; participantId: string }
  /** The agent is free of this conversation (no further ACW): the router may offer them work again. */
  | { type: 'agentReleased'; at: Date; participantId: string; userId: string }
  | { type: 'attributesUpdated'; at: Date; participantId: string }
  | { type: 'ended'; at: Date };

export interface Transition {
  state: CallbackConversationState;
  events: LifecycleEvent[];
  /** The ids of the transition-table rows applied, in order. */
  rows: string[];
}
