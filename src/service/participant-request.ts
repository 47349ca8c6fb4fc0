// What a PATCH of a participant asks for, as lifecycle commands in order (docs/reference/api.md §1.2 row 8): a state change
// (answer, resume, disconnect, park), then hold or unhold, then wrap-up or skipping it. They run as one change.
import { ERRORS, ServiceError } from '../errors.js';
import type { Command, LegStatus } from '../lifecycle/index.js';
import type { MediaParticipantRequest } from '../model/core.js';

export function commandsFor(body: MediaParticipantRequest, participantId: string, status: LegStatus): Command[] {
  const commands: Command[] = [];
  switch (body.state) {
    case undefined:
      break;
    case 'connected':
      // Already connected: nothing to do; parked: resume; anything else: answer (refused where it makes no sense).
      if (status === 'parked') commands.push({ type: 'resume', participantId });
      else if (status !== 'connected') commands.push({ type: 'answer', participantId });
      break;
    case 'disconnected':
      // A leg already over with a wrap-up in the same request: only the wrap-up.
      if ((status !== 'acw' && status !== 'done') || (body.wrapup === undefined && body.wrapupSkipped === undefined))
        commands.push({ type: 'disconnect', participantId });
      break;
    case 'parked':
      if (body.resumeTime === undefined)
        throw new ServiceError(ERRORS.invalidValue, 'Parking needs a resumeTime.', [
          { field: '/resumeTime', code: ERRORS.invalidValue.code, message: 'required to park' },
        ]);
      commands.push({ type: 'park', participantId, resumeTime: body.resumeTime });
      break;
    default:
      throw new ServiceError(
        ERRORS.invalidValue,
        `Value [${body.state}] is not valid for field type [state]. Allowable values are: connected, disconnected, parked.`,
        [{ field: '/state', code: ERRORS.invalidValue.code, message: 'one of connected, disconnected, parked' }],
      );
  }
  if (body.held === true && status !== 'held') commands.push({ type: 'hold', participantId });
  if (body.held === false && status === 'held') commands.push({ type: 'unhold', participantId });
  if (body.wrapup !== undefined) commands.push({ type: 'wrapup', participantId, wrapup: body.wrapup });
  if (body.wrapupSkipped === true) commands.push({ type: 'skipWrapup', participantId });
  return commands;
}
