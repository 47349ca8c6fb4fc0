// What a document is and how it is checked. With `--model NAME` it is that model (an array: each item). Otherwise it
// is recognised by its shape: a notification envelope (its eventBody checked as its topic's body), an analytics
// conversation or query response, a seed file, a callback conversation (an object with `participants`), an array of
// participants, or a participant. A document that carries none of its model's properties gets a warning.
import { decodeModel, stringifyModel, type DecodeOptions, type Issue, type ModelName } from '../model/core.js';
import { MODELS } from '../model/registry.js';
import type { CallbackConversation, CallbackMediaParticipant } from '../model/models.js';
import { parseTopic } from '../service/topics.js';

export type Checked =
  | { kind: 'participant'; model: 'CallbackMediaParticipant'; value: CallbackMediaParticipant }
  | { kind: 'participants'; model: 'CallbackMediaParticipant'; value: CallbackMediaParticipant[] }
  | { kind: 'conversation'; model: 'CallbackConversation'; value: CallbackConversation }
  | { kind: 'model'; model: ModelName; value: unknown }
  | { kind: 'models'; model: ModelName; value: unknown[] }
  /** A notification: the envelope as it came, its eventBody decoded as the topic's model. */
  | { kind: 'envelope'; model: ModelName; envelope: Record<string, unknown>; value: unknown };

export interface CheckResult {
  valid: boolean;
  /** The model the document was checked as (for an envelope, its eventBody's). */
  model: ModelName | 'NotificationEnvelope';
  errors: Issue[];
  warnings: Issue[];
  checked?: Checked;
}

export interface CheckOptions extends DecodeOptions {
  /** Check as this model instead of recognising the document's shape. */
  model?: ModelName;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (v: Record<string, unknown>, key: string) => Object.hasOwn(v, key);

/** Topics every channel gets that are not subscribed to: the heartbeat and the system messages. */
function envelopeModel(topic: unknown): ModelName | undefined {
  if (typeof topic !== 'string') return undefined;
  if (topic.startsWith('v2.system.')) return 'SystemMessageSystemMessage';
  return parseTopic(topic)?.template.body;
}

/** The model a document's shape says it is. */
function recognise(value: Record<string, unknown>): ModelName | 'NotificationEnvelope' {
  if (has(value, 'topicName') && has(value, 'eventBody')) return 'NotificationEnvelope';
  if (has(value, 'conversationId') && (has(value, 'conversationStart') || has(value, 'conversationEnd')))
    return 'AnalyticsConversationWithoutAttributes';
  if (Array.isArray(value.conversations) && !has(value, 'participants')) return 'AnalyticsConversationQueryResponse';
  if (Array.isArray(value.organizations)) return 'EmulatorSeed';
  if (has(value, 'participants')) return 'CallbackConversation';
  return 'CallbackMediaParticipant';
}

/** A warning when an object carries none of its model's properties: it is likely not that model at all. */
function noneKnown(model: ModelName, value: unknown, path = ''): Issue[] {
  if (!isObject(value)) return [];
  const known = Object.keys(MODELS[model].properties);
  if (Object.keys(value).some((k) => known.includes(k))) return [];
  return [{ path, message: `none of the properties of ${model}: is this a ${model}? (name the model with --model)` }];
}

const prefixed = (prefix: string) => (i: Issue) => ({ path: `${prefix}${i.path}`, message: i.message });

function checkAs(
  model: ModelName,
  value: unknown,
  options: DecodeOptions,
  path = '',
): { value?: unknown; errors: Issue[]; warnings: Issue[] } {
  const r = decodeModel(model, value, options);
  const warnings = [...r.warnings.map(prefixed(path)), ...noneKnown(model, value, path)];
  if (options.strict === true && warnings.length > 0 && r.ok) return { errors: warnings, warnings: [] };
  return r.ok ? { value: r.value, errors: [], warnings } : { errors: r.errors.map(prefixed(path)), warnings };
}

function checkEnvelope(value: Record<string, unknown>, options: DecodeOptions): CheckResult {
  const model = envelopeModel(value.topicName);
  if (value.topicName === 'channel.metadata') {
    const ok = isObject(value.eventBody);
    const errors = ok ? [] : [{ path: '/eventBody', message: 'expected an object (the heartbeat: {"message":"WebSocket Heartbeat"})' }];
    return { valid: ok, model: 'NotificationEnvelope', errors, warnings: [] };
  }
  if (model === undefined)
    return {
      valid: false,
      model: 'NotificationEnvelope',
      errors: [
        {
          path: '/topicName',
          message: `expected a topic callbackd serves (GET /api/v2/notifications/availabletopics), got ${JSON.stringify(value.topicName)}; check the body alone with --model`,
        },
      ],
      warnings: [],
    };
  const r = checkAs(model, value.eventBody, options, '/eventBody');
  return r.errors.length > 0 || r.value === undefined
    ? { valid: false, model, errors: r.errors, warnings: r.warnings }
    : { valid: true, model, errors: [], warnings: r.warnings, checked: { kind: 'envelope', model, envelope: value, value: r.value } };
}

function checkModel(model: ModelName, value: unknown, options: DecodeOptions): CheckResult {
  if (Array.isArray(value)) {
    const errors: Issue[] = [];
    const warnings: Issue[] = [];
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const r = checkAs(model, item, options, `/${i}`);
      warnings.push(...r.warnings);
      errors.push(...r.errors);
      if (r.errors.length === 0) out.push(r.value);
    });
    if (errors.length > 0) return { valid: false, model, errors, warnings };
    return model === 'CallbackMediaParticipant'
      ? { valid: true, model, errors, warnings, checked: { kind: 'participants', model, value: out as CallbackMediaParticipant[] } }
      : { valid: true, model, errors, warnings, checked: { kind: 'models', model, value: out } };
  }
  const r = checkAs(model, value, options);
  if (r.errors.length > 0) return { valid: false, model, errors: r.errors, warnings: r.warnings };
  const checked: Checked =
    model === 'CallbackMediaParticipant'
      ? { kind: 'participant', model, value: r.value as CallbackMediaParticipant }
      : model === 'CallbackConversation'
        ? { kind: 'conversation', model, value: r.value as CallbackConversation }
        : { kind: 'model', model, value: r.value };
  return { valid: true, model, errors: [], warnings: r.warnings, checked };
}

export function checkDocument(value: unknown, options: CheckOptions): CheckResult {
  const { model, ...decode } = options;
  if (model !== undefined) return checkModel(model, value, decode);
  if (!isObject(value)) return checkModel('CallbackMediaParticipant', value, decode);
  const shape = recognise(value);
  return shape === 'NotificationEnvelope' ? checkEnvelope(value, decode) : checkModel(shape, value, decode);
}

/** Whether a name is a model of the registry (for `--model`). */
export const isModelName = (name: string): name is ModelName => Object.hasOwn(MODELS, name);

export function canonicalText(checked: Checked): string {
  switch (checked.kind) {
    case 'participant':
    case 'conversation':
    case 'model':
      return stringifyModel(checked.model, checked.value);
    case 'participants':
    case 'models':
      return `[${checked.value.map((v) => stringifyModel(checked.model, v)).join(',')}]`;
    case 'envelope': {
      // The envelope's own fields as they came, in their order; the body in its canonical encoding.
      const parts = Object.entries(checked.envelope).map(([k, v]) =>
        k === 'eventBody' ? `"eventBody":${stringifyModel(checked.model, checked.value)}` : `${JSON.stringify(k)}:${JSON.stringify(v)}`,
      );
      return `{${parts.join(',')}}`;
    }
  }
}
