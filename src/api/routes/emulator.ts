// The emulator's own controls, under /emulator, with the same bearer auth as the API.
import { param, route, type RouteDef } from '../route.js';

export const EMULATOR_ROUTES: readonly RouteDef[] = [
  route({
    method: 'GET',
    path: '/emulator/clock',
    operationId: 'getEmulatorClock',
    tag: 'Emulator',
    summary: 'The time the service runs on, and the clock mode (system or manual).',
    status: 200,
    response: { kind: 'model', model: 'EmulatorClock' },
    handler: async (s) => s.emulator.clock(),
  }),
  route({
    method: 'POST',
    path: '/emulator/clock',
    operationId: 'postEmulatorClock',
    tag: 'Emulator',
    summary: 'Move a manual clock (advance by a duration, or to an instant); answers once what came due has fired.',
    status: 200,
    body: { model: 'EmulatorClockRequest', required: true },
    response: { kind: 'model', model: 'EmulatorClock' },
    handler: (s, ctx) =>
      s.emulator.moveClock({
        ...(ctx.body.advance !== undefined ? { advance: ctx.body.advance } : {}),
        ...(ctx.body.instant !== undefined ? { instant: ctx.body.instant } : {}),
      }),
  }),
  route({
    method: 'POST',
    path: '/emulator/conversations/{conversationId}/call/end',
    operationId: 'postEmulatorConversationCallEnd',
    tag: 'Emulator',
    summary: 'The customer hangs up the voice call placed from a callback (what auto-end waits for).',
    status: 202,
    response: { kind: 'empty' },
    handler: (s, ctx) => s.emulator.endPlacedCall(ctx.principal, param(ctx, 'conversationId')),
  }),
  route({
    method: 'GET',
    path: '/emulator/health',
    operationId: 'getEmulatorHealth',
    tag: 'Emulator',
    summary: 'Ready (200) once the store is open and migrated; the version, the store and the clock. No token needed.',
    auth: 'none',
    status: 200,
    response: { kind: 'model', model: 'EmulatorHealth' },
    handler: async (s) => s.emulator.health(),
  }),
  route({
    method: 'POST',
    path: '/emulator/reset',
    operationId: 'postEmulatorReset',
    tag: 'Emulator',
    summary: "Bring the caller's organization (all=true: every one) back to its seeded state; tokens stay valid.",
    status: 200,
    query: { all: { type: 'boolean', description: "Every organization, not only the caller's." } },
    response: { kind: 'model', model: 'EmulatorReset' },
    handler: (s, ctx) => s.emulator.reset(ctx.principal, ctx.query.all),
  }),
];
