// Enum values the services use at run time, in a module that loads nothing (schema-api.ts builds its schemas from
// them; the server does not load the schema library).

export const RECORDING_STATES = ['ACTIVE', 'PAUSED', 'NONE'] as const;
export const ACW_PROMPT_VALUES = ['MANDATORY', 'OPTIONAL', 'MANDATORY_TIMEOUT', 'MANDATORY_FORCED_TIMEOUT', 'AGENT_REQUESTED'] as const;
export const ROUTING_STATUS_VALUES = ['OFF_QUEUE', 'IDLE', 'INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING'] as const;
