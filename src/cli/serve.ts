// `callbackd serve` (and `npm start`): the callback API on 127.0.0.1:8080 with an embedded SQLite file.
import type { Writable } from 'node:stream';
import { redactedUrl, startServer } from '../server.js';
import { parseDateTime } from '../model/core.js';
import { ManualClock } from '../service/clock.js';
import { UsageError } from './usage.js';

export interface ServeOptions {
  host: string;
  port: number;
  db: string;
  seed?: string;
  logLevel: string;
  clock?: 'system' | 'manual';
  clockStart?: string;
  /** Web origins allowed from a browser; '*' for any (from the environment: comma- or space-separated). */
  corsOrigin?: string[] | string;
  /** Rate limits counted in headers only (default), or enforced with 429 (organizations the seed does not set). */
  rateLimits?: 'count' | 'enforce';
  /** A state file to load at start. */
  import?: string;
  /** Where to write every organization's state on shutdown. */
  exportOnExit?: string;
  /** Seconds an access token lives, on the service clock. */
  tokenLifetimeSeconds?: number;
  /** Days events are kept after their conversation ends. */
  eventRetentionDays?: number;
}

/** `--cors-origin a b` or CALLBACKD_CORS_ORIGINS="a,b"; '*' alone means any origin. */
function corsOrigins(given: string[] | string | undefined): readonly string[] | '*' | undefined {
  if (given === undefined) return undefined;
  const list = (Array.isArray(given) ? given : [given]).flatMap((g) => g.split(/[\s,]+/)).filter((g) => g !== '');
  return list.includes('*') ? '*' : list;
}

/** A port that cannot be listened on is a usage error with what to do, not a stack trace. */
async function listenOr<T>(starting: Promise<T>, options: ServeOptions): Promise<T> {
  try {
    return await starting;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${options.port} on ${options.host} is in use; choose another with --port (0 picks a free one).`);
    if (code === 'EACCES')
      throw new UsageError(`port ${options.port} on ${options.host} needs more privileges; choose one above 1023 with --port.`);
    if (code === 'EADDRNOTAVAIL') throw new UsageError(`${options.host} is not an address of this machine; check --host.`);
    throw e;
  }
}

export async function serve(options: ServeOptions, out: Writable): Promise<() => Promise<void>> {
  let start: Date | undefined;
  if (options.clockStart !== undefined) {
    start = parseDateTime(options.clockStart);
    if (start === undefined) throw new UsageError(`--clock-start: ${options.clockStart} is not an ISO-8601 date-time`);
  }
  const server = await listenOr(
    startServer({
      ...(options.clock === 'manual' ? { clock: new ManualClock(start) } : {}),
      host: options.host,
      port: options.port,
      db: options.db,
      ...(options.seed !== undefined ? { seedFile: options.seed } : {}),
      logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
      ...(options.corsOrigin !== undefined ? { corsOrigins: corsOrigins(options.corsOrigin) } : {}),
      ...(options.import !== undefined ? { importFile: options.import } : {}),
      ...(options.exportOnExit !== undefined ? { exportOnClose: options.exportOnExit } : {}),
      ...(options.rateLimits !== undefined ? { rateLimits: { enforce: options.rateLimits === 'enforce' } } : {}),
      ...(options.tokenLifetimeSeconds !== undefined ? { auth: { ttlSeconds: options.tokenLifetimeSeconds } } : {}),
      ...(options.eventRetentionDays !== undefined ? { eventRetentionMs: options.eventRetentionDays * 24 * 3600_000 } : {}),
    }),
    options,
  );
  out.write(
    [
      `callbackd listening on ${server.url} (data: ${redactedUrl(options.db)})`,
      ...(server.seedApplied.length > 0
        ? [`The seed changed since ${options.db} was last started; applied:`, ...server.seedApplied.map((line) => `  ${line}`)]
        : []),
      'Get a token with the seeded development client:',
      `  curl -s -u callbackd-dev:callbackd-dev-secret -d grant_type=client_credentials ${server.url}/oauth/token`,
      'or as an agent:',
      `  curl -s -u callbackd-dev:callbackd-dev-secret -d grant_type=password -d username=agent1@example.com -d password=callbackd ${server.url}/oauth/token`,
      `OpenAPI: ${server.url}/api/v2/docs/openapi.json`,
      ...(options.clock === 'manual'
        ? [`Manual clock at ${server.clock.now().toISOString()}: move it with POST ${server.url}/emulator/clock {"advance":"PT1H"}`]
        : []),
      '',
    ].join('\n'),
  );
  return () => server.close();
}
