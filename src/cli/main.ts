// The `callbackd` command line. Exit codes: 0 success, 1 invalid input, 2 usage or I/O error.
import { Command, CommanderError, Option } from 'commander';
import { checkTimeline } from '../lifecycle/timeline.js';
import type { Checked } from './check.js';
import { normalize, validate, UsageError, type Io } from './validate.js';

/** Timeline violations of every participant of a valid document, as errors with their paths. */
function timelineErrors(result: { checked?: Checked }): { path: string; message: string }[] {
  const c = result.checked;
  if (c === undefined) return [];
  const participants = c.kind === 'participant' ? [{ prefix: '', p: c.value }]
    : c.kind === 'participants' ? c.value.map((p, i) => ({ prefix: `/${i}`, p }))
    : (c.value.participants ?? []).map((p, i) => ({ prefix: `/participants/${i}`, p }));
  return participants.flatMap(({ prefix, p }) => checkTimeline(p).map((v) => ({ path: `${prefix}${v.path}`, message: `timeline (${v.rule}): ${v.message}` })));
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = new Command('callbackd')
    .description('callbackd: the Genesys Cloud callback participant as a validated model, a lifecycle and a local API.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('validate')
    .description('check participants, arrays of them, conversations or NDJSON against the model')
    .argument('<file>', 'a JSON or NDJSON file, or - for standard input')
    .option('--strict', 'treat every warning as an error', false)
    .option('--json', 'print one JSON line per document', false)
    .option('--timeline', "also check each participant's times against the lifecycle's rules", false)
    .action(async (file: string, opts: { strict: boolean; json: boolean; timeline: boolean }) => {
      code = await validate(file, { ...opts, ...(opts.timeline ? { extraErrors: timelineErrors } : {}) }, io);
    });

  program
    .command('normalize')
    .description('print the canonical wire encoding of each document (one line per document)')
    .argument('<file>', 'a JSON or NDJSON file, or - for standard input')
    .addOption(new Option('--strict', 'treat every warning as an error').default(false))
    .action(async (file: string, opts: { strict: boolean }) => {
      code = await normalize(file, opts, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`callbackd: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
