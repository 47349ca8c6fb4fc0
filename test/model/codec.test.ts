import { describe, expect, it } from 'vitest';
import {
  decodeCallbackMediaParticipant,
  decodeCallbackConversation,
  decodeModel,
  encodeCallbackMediaParticipant,
  encodeCallbackConversation,
  stringifyCallbackConversation,
  stringifyCallbackMediaParticipant,
  unknownProperties,
  type CallbackMediaParticipant,
  type Issue,
} from '../../src/index.js';
import { DESCRIPTORS, type Shape } from '../../src/model/descriptors.js';
import { SEED_MODELS } from '../../src/model/schema.js';
import type { ModelName } from '../../src/model/registry.js';
import { fixture } from '../helpers.js';

const ok = (input: unknown, strict = false): CallbackMediaParticipant => {
  const r = decodeCallbackMediaParticipant(input, { strict });
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
};
const errors = (input: unknown, strict = false): readonly Issue[] => {
  const r = decodeCallbackMediaParticipant(input, { strict });
  if (r.ok) throw new Error('expected failure');
  return r.errors;
};
const warnings = (input: unknown): readonly Issue[] => {
  const r = decodeCallbackMediaParticipant(input);
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.warnings;
};
const paths = (issues: readonly Issue[]) => issues.map((i) => i.path);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/**
 * The wire form `input` should encode back to: every property with its value, nulls dropped (null is absent), and
 * date-times as the canonical UTC text of the same instant (to the millisecond).
 */
function canonical(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(canonical);
  if (typeof input === 'string' && DATE_TIME.test(input)) {
    const [, frac = '', zone] = /(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(input) ?? [];
    const ms = `${frac}000`.slice(1, 4).padEnd(3, '0');
    return new Date(`${input.slice(0, 19)}.${ms}${zone}`).toISOString();
  }
  if (typeof input === 'object' && input !== null)
    return Object.fromEntries(Object.entries(input).flatMap(([k, v]) => (v === null ? [] : [[k, canonical(v)]])));
  return input;
}

describe('fixtures', () => {
  it.each(['f1-customer-scheduled-connected', 'f2-acd-routing-data', 'f3-agent-missed-system-disconnect', 'f4-all-properties'])(
    '%s decodes strictly with no warnings and re-encodes to the same properties',
    (name) => {
      const input = fixture(`${name}.json`);
      const r = decodeCallbackMediaParticipant(input, { strict: true });
      expect(r.ok && r.warnings).toEqual([]);
      const wire = encodeCallbackMediaParticipant(ok(input));
      expect(Object.keys(wire)).toEqual(Object.keys(input));
      // Every value, not only the keys, comes back (dates as the same instant in canonical form).
      expect(JSON.parse(JSON.stringify(wire))).toEqual(canonical(input));
      expect(stringifyCallbackMediaParticipant(ok(input))).toBe(JSON.stringify(wire));
    },
  );

  it('f4 reads every kind of value into its model type', () => {
    const p = ok(fixture('f4-all-properties.json'));
    expect(p.startAlertingTime).toEqual(new Date('2024-05-01T09:30:00.500Z'));
    expect(p.wrapup?.endTime?.toISOString()).toBe('2024-05-01T09:41:26.321Z');
    expect(p.journeyContext?.triggeringAction?.actionMap.version).toBe(3);
    expect(p.conversationRoutingData?.scoredAgents?.[0]?.agent?.name).toBe('Agent Smith');
    expect(p.attributes).toEqual({ accountNumber: 'A-1001', empty: '' });
    expect(p.held).toBe(false);
    expect(p.timeoutSeconds).toBe(30);
  });

  it('f5 edge cases: unknown enum values kept, case folded, nulls absent, unknown keys kept, all with warnings', () => {
    const input = fixture('f5-edge-cases.json');
    const r = decodeCallbackMediaParticipant(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.value;
    expect(p.state).toBe('scheduled');
    expect(p.direction).toBe('outbound');
    expect(p.disconnectType).toBe('takeover');
    expect(p.voicemail?.uploadStatus).toBe('processing');
    expect('flaggedReason' in p || 'held' in p || 'wrapup' in p).toBe(false);
    expect(p.journeyContext?.customerSession).toBeUndefined();
    expect(p.callbackNumbers).toEqual(['']);
    expect(p[unknownProperties]).toEqual({ initialState: 'scheduled', recordingState: 'none' });
    expect(paths(r.warnings).sort()).toEqual(
      ['/direction', '/disconnectType', '/initialState', '/recordingState', '/state', '/voicemail/uploadStatus'].sort(),
    );
    const wire = encodeCallbackMediaParticipant(p);
    expect(wire).toEqual({
      id: input.id,
      purpose: 'customer',
      state: 'scheduled',
      direction: 'outbound',
      disconnectType: 'takeover',
      journeyContext: { customer: input.journeyContext.customer },
      voicemail: input.voicemail,
      callbackNumbers: [''],
      callbackScheduledTime: '2022-07-04T20:03:12.235Z',
      initialState: 'scheduled',
      recordingState: 'none',
    });
    expect(Object.keys(wire).slice(-2)).toEqual(['initialState', 'recordingState']);
  });

  it('real sibling payloads decode tolerantly, keeping their extra keys', () => {
    const call = fixture('example1-call-conversation.json');
    for (const participant of call.participants) {
      const r = decodeCallbackMediaParticipant(participant);
      expect(r.ok).toBe(true);
      const back = r.ok ? encodeCallbackMediaParticipant(r.value) : {};
      expect(new Set(Object.keys(back))).toEqual(new Set(Object.keys(participant).filter((k) => participant[k] !== null)));
      expect(JSON.parse(JSON.stringify(back))).toEqual(canonical(participant));
    }
    const strict = decodeCallbackMediaParticipant(call.participants[0], { strict: true });
    expect(strict.ok).toBe(false);
    expect(!strict.ok && paths(strict.errors)).toContain('/muted');
  });
});

describe('every property with a wrong type fails at its own path', () => {
  // A value of the wrong type for each shape.
  const wrong = (shape: Shape): unknown => {
    switch (shape.kind) {
      case 'string':
      case 'datetime':
      case 'enum':
        return 42;
      case 'boolean':
        return 'true';
      case 'int32':
        return 1.5;
      case 'map':
      case 'array':
        return 'x';
      case 'model':
        return [];
    }
  };
  // Walk f4 (which holds all 90 properties) and collect the first pointer of each (model, property) pair.
  const found = new Map<string, { pointer: string; shape: Shape }>();
  const walk = (model: ModelName, value: Record<string, unknown>, pointer: string) => {
    for (const p of DESCRIPTORS[model].properties) {
      const v = value[p.key];
      if (v === undefined) continue;
      const here = `${pointer}/${p.key}`;
      if (!found.has(`${model}.${p.key}`)) found.set(`${model}.${p.key}`, { pointer: here, shape: p.shape });
      if (p.shape.kind === 'model') walk(p.shape.name, v as Record<string, unknown>, here);
      if (p.shape.kind === 'array' && p.shape.items.kind === 'model') {
        const items = p.shape.items;
        (v as Record<string, unknown>[]).forEach((item, i) => walk(items.name, item, `${here}/${i}`));
      }
    }
  };
  const f4 = fixture('f4-all-properties.json');
  walk('CallbackMediaParticipant', f4, '');

  it('f4 reaches all 90 properties of the 15 seed models', () => {
    const seedProps = SEED_MODELS.flatMap((m) => DESCRIPTORS[m].properties.map((p) => `${m}.${p.key}`));
    expect(seedProps).toHaveLength(90);
    expect([...found.keys()].sort()).toEqual(seedProps.sort());
  });

  it.each([...found.entries()])('%s', (_, { pointer, shape }) => {
    const input = structuredClone(f4);
    const parts = pointer.split('/').slice(1);
    let target = input;
    for (const part of parts.slice(0, -1)) target = target[part];
    target[parts.at(-1) as string] = wrong(shape);
    const errs = errors(input);
    expect(paths(errs)).toEqual([pointer]);
    expect(errs[0]?.message).toMatch(/^expected .+, got /);
  });

  it('array items of the wrong type fail at their index', () => {
    expect(paths(errors({ callbackNumbers: ['+1', 2, null] }))).toEqual(['/callbackNumbers/1', '/callbackNumbers/2']);
    expect(paths(errors({ conversationRoutingData: { skills: [{}, 'x'] } }))).toEqual(['/conversationRoutingData/skills/1']);
  });

  it('collects every error, not the first one only', () => {
    const errs = errors({ id: 1, held: 'no', startTime: 'yesterday', wrapup: { durationSeconds: '5' } });
    expect(paths(errs)).toEqual(['/id', '/held', '/startTime', '/wrapup/durationSeconds']);
  });

  it('a root that is not an object is an error at the root pointer', () => {
    for (const input of [null, [], 'x', 5, true, undefined]) {
      const errs = errors(input);
      expect(paths(errs)).toEqual(['']);
      expect(errs[0]?.message).toMatch(/^expected an object \(CallbackMediaParticipant\), got/);
    }
  });
});

describe('null means absent', () => {
  it('for every property of every model', () => {
    for (const name of Object.keys(DESCRIPTORS) as ModelName[]) {
      const d = DESCRIPTORS[name];
      const input = Object.fromEntries(d.properties.map((p) => [p.key, null]));
      const r = decodeModel<Record<string, unknown>>(name, input);
      const required = d.properties.filter((p) => p.required).map((p) => `/${p.key}`);
      if (required.length === 0) {
        expect(r.ok && Object.keys(r.value)).toEqual([]);
      } else {
        expect(!r.ok && paths(r.errors)).toEqual(required);
      }
    }
  });
});

describe('required properties (the nine in the Journey models)', () => {
  it('missing ones are errors at their own pointer', () => {
    const errs = errors({ journeyContext: { customerSession: { id: 's' }, triggeringAction: { actionMap: { id: 'm' } } } });
    expect(paths(errs).sort()).toEqual(
      [
        '/journeyContext/customer',
        '/journeyContext/customerSession/type',
        '/journeyContext/triggeringAction/id',
        '/journeyContext/triggeringAction/actionMap/version',
      ].sort(),
    );
    expect(errs[0]?.message).toMatch(/required but missing/);
  });
  it('a present but wrong-typed required property is reported once, as a type error', () => {
    const errs = errors({ journeyContext: { customer: { id: 5, idType: 'cookie' } } });
    expect(errs).toHaveLength(1);
    expect(errs[0]?.path).toBe('/journeyContext/customer/id');
  });
});

describe('date-times', () => {
  const at = (s: unknown) => ok({ startTime: s }).startTime?.toISOString();
  it('accepts Z and ±hh:mm with 0 to 9 fractional digits', () => {
    expect(at('2022-07-04T11:00:00Z')).toBe('2022-07-04T11:00:00.000Z');
    expect(at('2024-05-01T09:30:00.5Z')).toBe('2024-05-01T09:30:00.500Z');
    expect(at('2024-05-01T09:30:00.123456789Z')).toBe('2024-05-01T09:30:00.123Z');
    expect(at('2024-05-01T11:30:00+02:00')).toBe('2024-05-01T09:30:00.000Z');
    expect(at('2024-05-01T00:30:00.25-05:30')).toBe('2024-05-01T06:00:00.250Z');
    expect(at('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(at('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(at('0099-12-31T00:00:00Z')).toBe('0099-12-31T00:00:00.000Z');
    expect(at('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
  });
  it.each([
    ['2026-02-30T10:00:00Z', /impossible date: 2026-02 has 28 days/],
    ['2023-02-29T10:00:00Z', /impossible date/],
    ['2026-13-01T10:00:00Z', /month 13/],
    ['2026-01-01T24:00:00Z', /impossible time/],
    ['2026-01-01T10:00:00', /no zone designator/],
    ['2026-01-01T10:00:00.Z', /1 to 9 digits/],
    ['2026-01-01T10:00:00.1234567890Z', /1 to 9 digits/],
    ['2026-01-01T10:00:00+2:00', /bad zone designator/],
    ['2026-01-01T10:00:00+24:00', /bad zone designator/],
    ['2026-01-01 10:00:00Z', /not of the form/],
    ['07/04/2022 11:00:00', /not of the form/],
    ['', /not of the form/],
  ])('rejects %j', (s, why) => {
    const errs = errors({ startTime: s });
    expect(paths(errs)).toEqual(['/startTime']);
    expect(errs[0]?.message).toMatch(why);
  });
  it('rejects non-strings', () => {
    for (const v of [0, true, {}, []]) expect(paths(errors({ endAcwTime: v }))).toEqual(['/endAcwTime']);
  });
});

describe('int32', () => {
  it('accepts the signed 32-bit range', () => {
    expect(ok({ timeoutSeconds: 2147483647 }).timeoutSeconds).toBe(2147483647);
    expect(ok({ timeoutSeconds: -2147483648 }).timeoutSeconds).toBe(-2147483648);
    expect(ok({ timeoutSeconds: 0 }).timeoutSeconds).toBe(0);
  });
  it.each([2147483648, -2147483649, 1.5, '5', true, 1e300])('rejects %j', (v) => {
    expect(paths(errors({ alertingTimeoutMs: v }))).toEqual(['/alertingTimeoutMs']);
  });
});

describe('enums', () => {
  it('an exact value is silent', () => expect(warnings({ state: 'parked', disconnectType: 'transfer.noanswer' })).toEqual([]));
  it('another letter case becomes the canonical value with a warning', () => {
    const r = decodeCallbackMediaParticipant({ direction: 'OUTBOUND', state: 'Alerting' });
    expect(r.ok && [r.value.direction, r.value.state]).toEqual(['outbound', 'alerting']);
    expect(r.ok && paths(r.warnings)).toEqual(['/direction', '/state']);
  });
  it('an unknown string is kept verbatim with a warning', () => {
    const r = decodeCallbackMediaParticipant({ disconnectType: 'session.expired' });
    expect(r.ok && r.value.disconnectType).toBe('session.expired');
    expect(r.ok && r.warnings[0]?.message).toMatch(/unknown value "session.expired"/);
  });
  it('anything not a string is an error', () => {
    for (const v of [1, true, {}, ['alerting']]) expect(paths(errors({ state: v }))).toEqual(['/state']);
  });
});

describe('attributes', () => {
  it('numbers and booleans become their JSON text with a warning', () => {
    const r = decodeCallbackMediaParticipant({ attributes: { n: 5, f: 1.25, b: true, s: 'x' } });
    expect(r.ok && r.value.attributes).toEqual({ n: '5', f: '1.25', b: 'true', s: 'x' });
    expect(r.ok && paths(r.warnings)).toEqual(['/attributes/n', '/attributes/f', '/attributes/b']);
  });
  it('objects and arrays are errors at the key', () => {
    expect(paths(errors({ attributes: { orderId: {}, list: [], 'a/b': [] } }))).toEqual([
      '/attributes/orderId',
      '/attributes/list',
      '/attributes/a~1b',
    ]);
  });
  it('keeps keys such as __proto__ as data', () => {
    const p = ok(JSON.parse('{"attributes":{"__proto__":"x","constructor":"y"}}'));
    expect(Object.keys(p.attributes ?? {})).toEqual(['__proto__', 'constructor']);
    expect(stringifyCallbackMediaParticipant(p)).toBe('{"attributes":{"__proto__":"x","constructor":"y"}}');
  });
});

describe('unknown properties', () => {
  it('are kept at any depth, warned about, and written back after the known ones', () => {
    const input = {
      zeta: 1,
      id: 'p',
      wrapup: { code: 'c', extra: { deep: [1, 2] } },
      conversationRoutingData: { skills: [{ id: 's', weight: 3 }] },
    };
    const r = decodeCallbackMediaParticipant(input);
    expect(r.ok && paths(r.warnings)).toEqual(['/zeta', '/wrapup/extra', '/conversationRoutingData/skills/0/weight']);
    const wire = r.ok ? encodeCallbackMediaParticipant(r.value) : {};
    expect(JSON.stringify(wire)).toBe(
      '{"id":"p","wrapup":{"code":"c","extra":{"deep":[1,2]}},"conversationRoutingData":{"skills":[{"id":"s","weight":3}]},"zeta":1}',
    );
  });
  it('escape ~ and / in their pointer', () => {
    expect(paths(warnings({ 'a/b~c': 1 }))).toEqual(['/a~1b~0c']);
  });
});

describe('strict mode', () => {
  it('turns every warning into an error', () => {
    const input = { direction: 'OUTBOUND', state: 'takeover', attributes: { n: 1 }, extra: true };
    expect(decodeCallbackMediaParticipant(input).ok).toBe(true);
    const r = decodeCallbackMediaParticipant(input, { strict: true });
    expect(!r.ok && paths(r.errors)).toEqual(['/direction', '/state', '/attributes/n', '/extra']);
  });
});

describe('encoding', () => {
  it('writes canonical order, omits absent, keeps false/0/""/[]/{}, dates in UTC with milliseconds', () => {
    const p: CallbackMediaParticipant = {
      callbackScheduledTime: new Date('2022-07-04T11:00:00Z'),
      attributes: {},
      held: false,
      timeoutSeconds: 0,
      name: '',
      mediaRoles: [],
      id: 'x',
      wrapup: undefined,
    };
    expect(JSON.stringify(encodeCallbackMediaParticipant(p))).toBe(
      '{"id":"x","name":"","held":false,"mediaRoles":[],"attributes":{},"timeoutSeconds":0,"callbackScheduledTime":"2022-07-04T11:00:00.000Z"}',
    );
  });
  it('the text writer escapes what JSON needs', () => {
    const p: CallbackMediaParticipant = { name: 'quote " backslash \\ newline \n lone \ud800 emoji 😀', attributes: { 'k"': 'v\u0001' } };
    const text = stringifyCallbackMediaParticipant(p);
    expect(text).toBe(JSON.stringify(encodeCallbackMediaParticipant(p)));
    expect(JSON.parse(text).name).toBe(p.name);
  });
  it('encodes a conversation with its participants', () => {
    const conv = fixture('example2-callback-conversation-generic.json');
    const input = { id: conv.id, participants: [fixture('f2-acd-routing-data.json'), fixture('f3-agent-missed-system-disconnect.json')] };
    const r = decodeCallbackConversation(input, { strict: true });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.participants?.map((p) => p.id)).toEqual(input.participants.map((p: { id: string }) => p.id));
    const wire = encodeCallbackConversation(r.value);
    expect(JSON.parse(JSON.stringify(wire))).toEqual(canonical(input));
    expect(stringifyCallbackConversation(r.value)).toBe(JSON.stringify(wire));
    expect(Object.keys(wire)).toEqual(['id', 'participants']);
  });
});
