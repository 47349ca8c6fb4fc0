// The `callbackd` command line. Exit codes: 0 success, 1 invalid input, 2 usage or I/O error.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Checked } from './check.js';
import type { ModelName } from '../model/core.js';
import { OutputClosed, watchPipe } from './output.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../service/paths.js';
import { SeedError } from '../service/seed.js';
import { UsageError } from './usage.js';
import type { Io } from './validate.js';

/** Timeline violations of every participant of a valid document, as errors with their paths. */
async function timelineErrors(): Promise<(result: { checked?: Checked }) => { path: string; message: string }[]> {
  const { checkTimeline } = await import('../lifecycle/timeline.js');
  return (result) => {
    const c = result.checked;
    if (c === undefined) return [];
    const participants =
      c.kind === 'participant'
        ? [{ prefix: '', p: c.value }]
        : c.kind === 'participants'
          ? c.value.map((p, i) => ({ prefix: `/${i}`, p }))
          : c.kind === 'conversation'
            ? (c.value.participants ?? []).map((p, i) => ({ prefix: `/participants/${i}`, p }))
            : [];
    return participants.flatMap(({ prefix, p }) =>
      checkTimeline(p).map((v) => ({ path: `${prefix}${v.path}`, message: `timeline (${v.rule}): ${v.message}` })),
    );
  };
}

const modelOption = () =>
  new Option(
    '--model <name>',
    'check as this model (any of the registry: CallbackMediaParticipant, EmulatorSeed, ...) instead of by shape',
  );

/** The model named by --model; an unknown name is a usage error that lists the names closest to it. */
async function modelName(name: string | undefined): Promise<ModelName | undefined> {
  if (name === undefined) return undefined;
  const { isModelName } = await import('./check.js');
  if (isModelName(name)) return name;
  const { MODELS } = await import('../model/registry.js');
  const lower = name.toLowerCase();
  const near = Object.keys(MODELS).filter((m) => m.toLowerCase().includes(lower) || lower.includes(m.toLowerCase()));
  throw new UsageError(
    `--model: no model named ${name}${near.length > 0 ? `; did you mean ${near.slice(0, 5).join(', ')}?` : ` (models: ${Object.keys(MODELS).length}, e.g. CallbackMediaParticipant, CallbackConversation, EmulatorSeed)`}`,
  );
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3650 * 86400)
    throw new InvalidArgumentError('seconds: an integer from 1 to 315360000 (ten years)');
  return n;
}

function parseDays(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3650) throw new InvalidArgumentError('days: a number above 0, at most 3650');
  return n;
}

// One declaration of the whole command line (commander's builder), kept together so every option is read in one
// place; it runs a little over 80 lines for that reason.
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = new Command('callbackd')
    .description('callbackd: the Genesys Cloud callback participant as a validated model, a lifecycle and a local API.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('validate')
    .description('check participants, arrays of them, conversations or NDJSON against the model')
    .argument('<file>', 'a JSON or NDJSON file, or - for standard input')
    .option('--strict', 'treat every warning as an error', false)
    .option('--json', 'print one JSON line per document', false)
    .option('--timeline', "also check each participant's times against the lifecycle's rules", false)
    .addOption(modelOption())
    .action(async (file: string, opts: { strict: boolean; json: boolean; timeline: boolean; model?: string }) => {
      // Each command loads what it needs only (a server starts faster without the validator, and the reverse).
      const { validate } = await import('./validate.js');
      const model = await modelName(opts.model);
      code = await validate(
        file,
        {
          strict: opts.strict,
          json: opts.json,
          ...(model !== undefined ? { model } : {}),
          ...(opts.timeline ? { extraErrors: await timelineErrors() } : {}),
        },
        io,
      );
    });

  program
    .command('normalize')
    .description('print the canonical wire encoding of each document (one line per document)')
    .argument('<file>', 'a JSON or NDJSON file, or - for standard input')
    .addOption(new Option('--strict', 'treat every warning as an error').default(false))
    .addOption(modelOption())
    .action(async (file: string, opts: { strict: boolean; model?: string }) => {
      const { normalize } = await import('./validate.js');
      const model = await modelName(opts.model);
      code = await normalize(file, { strict: opts.strict, ...(model !== undefined ? { model } : {}) }, io);
    });

  program
    .command('serve')
    .description('serve the callback API (Platform API v2 paths) with an embedded SQLite store')
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default('8080').argParser(parsePort))
    .addOption(
      new Option('--db <file|url>', 'SQLite file, or a PostgreSQL database (postgres://user:password@host:port/db)')
        .env('CALLBACKD_DB')
        .default('./data/callbackd.db'),
    )
    .option('--seed <file>', 'seed configuration (organizations, clients, users, queues, wrap-up codes) instead of config/default-org.json')
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addOption(
      new Option('--clock <mode>', 'system time, or a manual clock moved with POST /emulator/clock')
        .choices(['system', 'manual'])
        .default('system'),
    )
    .option('--clock-start <instant>', 'with --clock manual: the starting instant (default: now)')
    .addOption(
      new Option(
        '--cors-origin <origin...>',
        "web origins allowed to call the API and open notification sockets from a browser ('*' for any; default: pages on localhost)",
      ).env('CALLBACKD_CORS_ORIGINS'),
    )
    .option('--import <file>', 'load a state file at start (GET /emulator/state, or what --export-on-exit wrote)')
    .option('--export-on-exit <file>', "write every organization's state to this file on SIGINT/SIGTERM")
    .addOption(
      new Option(
        '--rate-limits <mode>',
        "Genesys' rate limits (300/min a client-credentials token, 3,000 a user): counted in headers, or enforced with 429",
      )
        .env('CALLBACKD_RATE_LIMITS')
        .choices(['count', 'enforce'])
        .default('count'),
    )
    .addOption(
      new Option(
        '--token-lifetime <seconds>',
        'how long access tokens live, on the service clock (a manual clock moved past it expires them)',
      )
        .env('CALLBACKD_TOKEN_LIFETIME_SECONDS')
        .default('86400')
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--event-retention-days <days>', 'how long events are kept after their conversation ends (the event log)')
        .env('CALLBACKD_EVENT_RETENTION_DAYS')
        .default('7')
        .argParser(parseDays),
    )
    .action(
      async (opts: {
        host: string;
        port: number | string;
        db: string;
        seed?: string;
        logLevel: string;
        clock: 'system' | 'manual';
        clockStart?: string;
        corsOrigin?: string[] | string;
        eventRetentionDays: number | string;
        tokenLifetime: number | string;
        rateLimits: 'count' | 'enforce';
        import?: string;
        exportOnExit?: string;
      }) => {
        if (opts.clockStart !== undefined && opts.clock !== 'manual')
          throw new UsageError('--clock-start sets where a manual clock starts: add --clock manual (the system clock cannot be set)');
        const { serve } = await import('./serve.js');
        const stop = await serve(
          {
            ...opts,
            port: Number(opts.port),
            eventRetentionDays: Number(opts.eventRetentionDays),
            tokenLifetimeSeconds: Number(opts.tokenLifetime),
          },
          io.stdout,
        );
        await new Promise<void>((resolve) => {
          const shutdown = (signal: string) => {
            io.stdout.write(`callbackd: ${signal}, shutting down\n`);
            stop().then(resolve, (e: unknown) => {
              // What went wrong on the way out (the state file could not be written): said, and the exit code is 1.
              io.stderr.write(`callbackd: ${(e as Error).message}\n`);
              code = 1;
              resolve();
            });
          };
          process.once('SIGINT', () => shutdown('SIGINT'));
          process.once('SIGTERM', () => shutdown('SIGTERM'));
        });
      },
    );

  watchPipe(io.stdout);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    // The reader of the output went away (a pipe into head): what it read was written; nothing more to say.
    if (e instanceof OutputClosed) return code;
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (
      e instanceof UsageError ||
      e instanceof SeedError ||
      (e instanceof Error && (e.name === 'StoreOpenError' || e.name === 'SnapshotFileError'))
    ) {
      io.stderr.write(`callbackd: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
