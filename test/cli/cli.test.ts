import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { fixture, fixturePath } from '../helpers.js';

const collect = (s: PassThrough) => {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
};

async function cli(args: string[], stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await run(args, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, out: out(), err: err() };
}

const tmp = mkdtempSync(join(tmpdir(), 'callbackd-cli-'));
const file = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const oneLine = (name: string) => JSON.stringify(fixture(name));

describe('callbackd validate', () => {
  it('a valid participant file exits 0', async () => {
    const r = await cli(['validate', fixturePath('f4-all-properties.json')]);
    expect(r).toMatchObject({ code: 0, out: 'document: valid CallbackMediaParticipant\n' });
  });

  it('lists each problem with its path and exits 1 on an invalid document', async () => {
    const bad = { ...fixture('f1-customer-scheduled-connected.json'), startTime: '2026-02-30T10:00:00Z', held: 'no' };
    const r = await cli(['validate', file('bad.json', JSON.stringify(bad, null, 2))]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('document: invalid CallbackMediaParticipant (2 errors)');
    expect(r.out).toMatch(/error \/startTime: expected an ISO-8601 .*\(impossible date/);
    expect(r.out).toMatch(/error \/held: expected a boolean, got a string \("no"\)/);
  });

  it('warnings alone stay valid unless --strict', async () => {
    const path = fixturePath('f5-edge-cases.json');
    expect((await cli(['validate', path])).code).toBe(0);
    const strict = await cli(['validate', '--strict', '--json', path]);
    expect(strict.code).toBe(1);
    const line = JSON.parse(strict.out.trim());
    expect(line).toMatchObject({ index: 0, valid: false, warnings: [] });
    expect(line.errors.map((e: { path: string }) => e.path)).toContain('/disconnectType');
  });

  it('--json prints one line per NDJSON document; a malformed line is invalid and the others are still checked', async () => {
    const ndjson = [
      oneLine('f1-customer-scheduled-connected.json'),
      '{"state": 5',
      '',
      oneLine('f3-agent-missed-system-disconnect.json'),
      '{"held": "x"}',
    ].join('\n');
    const r = await cli(['validate', '--json', '-'], ndjson);
    expect(r.code).toBe(1);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.index, l.valid])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(lines[1].errors[0].path).toBe('');
    expect(lines[1].errors[0].message).toMatch(/^not JSON/);
    expect(lines[3].errors).toEqual([{ path: '/held', message: 'expected a boolean, got a string ("x")' }]);
  });

  it('checks a JSON array of participants, with paths into the array', async () => {
    const r = await cli(['validate', '--json', '-'], JSON.stringify([fixture('f2-acd-routing-data.json'), { held: 1 }], null, 1));
    expect(JSON.parse(r.out)).toMatchObject({ index: 0, valid: false, errors: [{ path: '/1/held' }] });
  });

  it('checks a conversation and its participants', async () => {
    const conv = {
      id: 'c1',
      participants: [fixture('f2-acd-routing-data.json'), { state: 3 }],
      selfUri: '/api/v2/conversations/callbacks/c1',
    };
    const r = await cli(['validate', '--json', '-'], JSON.stringify(conv, null, 2));
    expect(JSON.parse(r.out).errors).toEqual([{ path: '/participants/1/state', message: expect.stringMatching(/^expected a string/) }]);
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r).toMatchObject({ code: 0, out: '0.1.0\n' });
  });

  it('exits 2 for a missing file, no argument, an unknown option or empty input', async () => {
    const missing = await cli(['validate', join(tmp, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*nope.json: no such file\n$/);
    expect((await cli(['validate'])).code).toBe(2);
    expect((await cli(['validate', '--bogus', 'x'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['validate', '-'], '  \n')).code).toBe(2);
  });

  it('streams a large NDJSON file', async () => {
    const line = oneLine('f4-all-properties.json');
    const n = 20000;
    const path = file('big.ndjson', `${Array.from({ length: n }, () => line).join('\n')}\n`);
    const r = await cli(['validate', path]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toBe(`${n} valid, 0 invalid`);
  });
});

describe('callbackd normalize', () => {
  it('prints the canonical encoding', async () => {
    const r = await cli(['normalize', fixturePath('f5-edge-cases.json')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.direction).toBe('outbound');
    expect(out.held).toBeUndefined();
    expect(out.initialState).toBe('scheduled');
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('prints one line per NDJSON document and reports invalid ones on stderr with their paths', async () => {
    const r = await cli(['normalize', '-'], ['{"id":"a","startTime":"2024-05-01T11:30:00+02:00"}', '{"id":7}', '{"id":"b"}'].join('\n'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('{"id":"a","startTime":"2024-05-01T09:30:00.000Z"}\n{"id":"b"}\n');
    expect(r.err).toContain('document 1 (line 2): invalid');
    expect(r.err).toContain('error /id: expected a string, got the integer 7');
  });

  it('--strict refuses what tolerant reading accepts', async () => {
    const r = await cli(['normalize', '--strict', '-'], '{"direction":"OUTBOUND"}');
    expect(r.code).toBe(1);
    expect(r.err).toContain('/direction');
  });
});

describe('the installed bin', () => {
  it('runs from bin/callbackd.js with the exit codes', async () => {
    const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, 'validate', fixturePath('f1-customer-scheduled-connected.json')]);
    expect(ok.stdout).toBe('document: valid CallbackMediaParticipant\n');
    await expect(exec(process.execPath, [bin, 'validate', join(tmp, 'missing.json')])).rejects.toMatchObject({ code: 2 });
    await expect(exec(process.execPath, [bin, 'validate', file('inv.json', '{"held":1}')])).rejects.toMatchObject({ code: 1 });
  });
});

describe('callbackd validate --timeline', () => {
  it('reports timeline violations as errors with their paths', async () => {
    const good = fixturePath('f4-all-properties.json');
    expect((await cli(['validate', '--timeline', good])).code).toBe(0);
    const conv = {
      id: 'c',
      participants: [fixture('f2-acd-routing-data.json'), { state: 'connected', held: true, endTime: '2024-01-01T10:00:00Z' }],
    };
    const r = await cli(['validate', '--timeline', '--json', '-'], JSON.stringify(conv));
    expect(r.code).toBe(1);
    const paths = JSON.parse(r.out).errors.map((e: { path: string; message: string }) => e.path);
    expect(paths).toEqual(['/participants/1/endTime', '/participants/1/startHoldTime']);
    expect((await cli(['validate', '-'], JSON.stringify(conv))).code).toBe(0);
  });
});

describe('callbackd serve', () => {
  it('starts on the given port and file, prints how to get a token, and shuts down on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
    const db = join(tmp, 'serve.db');
    const args = ['serve', '--port', '0', '--db', db, '--log-level', 'silent', '--rate-limits', 'enforce', '--token-lifetime', '120'];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15000);
      child.stdout.on('data', () => {
        if (out.includes('OpenAPI:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const url = /listening on (http:\/\/[^ ]+)/.exec(out)?.[1] as string;
    expect(out).toContain(`(data: ${db})`);
    expect(out).toContain('grant_type=client_credentials');
    const token = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token, expires_in } = (await token.json()) as { access_token: string; expires_in: number };
    expect(expires_in).toBe(120);
    const limits = await fetch(`${url}/emulator/ratelimits`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(await limits.json()).toEqual({ enforce: true, clientCredentialsPerMinute: 300, userPerMinute: 3000 });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('SIGTERM, shutting down');
  });

  it('a bad seed file is a usage error (exit 2)', async () => {
    const r = await cli(['serve', '--port', '0', '--db', join(tmp, 'x.db'), '--seed', join(tmp, 'missing-seed.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read seed file/);
  });
});

describe('callbackd validate knows what a document is', () => {
  const seedFile = fileURLToPath(new URL('../../config/default-org.json', import.meta.url));

  it('recognises a notification envelope and checks its eventBody as its topic says', async () => {
    const ok = await cli(['validate', '--json', fixturePath('example3-callback-event.json')]);
    expect(JSON.parse(ok.out)).toMatchObject({ model: 'Conversation', valid: true });
    const event = fixture('example3-callback-event.json') as { eventBody: { participants: { callbacks: { held?: unknown }[] }[] } };
    event.eventBody.participants[0]!.callbacks[0]!.held = 'no';
    const bad = await cli(['validate', '--json', '-'], JSON.stringify(event));
    expect(JSON.parse(bad.out)).toMatchObject({
      model: 'Conversation',
      valid: false,
      errors: [{ path: '/eventBody/participants/0/callbacks/0/held' }],
    });
    const unknown = await cli(['validate', '--json', '-'], JSON.stringify({ topicName: 'v2.detail.events.x', eventBody: {} }));
    expect(JSON.parse(unknown.out)).toMatchObject({ model: 'NotificationEnvelope', valid: false, errors: [{ path: '/topicName' }] });
    const heartbeat = { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } };
    expect(JSON.parse((await cli(['validate', '--json', '-'], JSON.stringify(heartbeat))).out)).toMatchObject({ valid: true });
  });

  it('recognises an analytics conversation and a seed file', async () => {
    const analytics = await cli(['validate', fixturePath('example4-analytics-preview.json')]);
    expect(analytics.out.split('\n')[0]).toMatch(/^document: valid AnalyticsConversationWithoutAttributes/);
    expect((await cli(['validate', seedFile])).out).toBe('document: valid EmulatorSeed\n');
  });

  it('--model checks as the model named; an unknown name is a usage error that suggests names', async () => {
    const seed = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(seedFile, 'utf8')));
    seed.organizations[0].queues[0].callback.alertingTimeoutSeconds = 'soon';
    const r = await cli(['validate', '--model', 'EmulatorSeed', '-'], JSON.stringify(seed));
    expect(r.code).toBe(1);
    expect(r.out).toContain('error /organizations/0/queues/0/callback/alertingTimeoutSeconds: expected an integer from 1 to 86400');
    const queue = await cli(['validate', '--json', '--model', 'Queue', '-'], '{"id":"q","name":"Q","memberCount":"many"}');
    expect(JSON.parse(queue.out)).toMatchObject({ model: 'Queue', valid: false, errors: [{ path: '/memberCount' }] });
    const wrong = await cli(['validate', '--model', 'queue', '-'], '{}');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/no model named queue; did you mean .*QueueRequest/);
  });

  it("warns when a document has none of its model's properties; --strict makes it an error", async () => {
    const r = await cli(['validate', '-'], '{}');
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning (root): none of the properties of CallbackMediaParticipant');
    expect((await cli(['validate', '--strict', '-'], '{"colour":"blue"}')).code).toBe(1);
  });
});

describe('callbackd on awkward input and output', () => {
  it('a folder is a usage error; a UTF-8 byte order mark is accepted', async () => {
    const folder = await cli(['validate', tmp]);
    expect(folder.code).toBe(2);
    expect(folder.err).toBe(`callbackd: cannot read ${tmp}: it is a folder, not a file\n`);
    const bom = await cli(['validate', file('bom.json', `\uFEFF${oneLine('f1-customer-scheduled-connected.json')}`)]);
    expect(bom).toMatchObject({ code: 0 });
    expect(bom.out).toContain('valid CallbackMediaParticipant');
  });

  it('normalize prints its warnings on stderr and only documents on stdout', async () => {
    const r = await cli(['normalize', '-'], '{"id":"a","colour":"blue"}');
    expect(r.code).toBe(0);
    expect(r.out).toBe('{"id":"a","colour":"blue"}\n');
    expect(r.err).toContain('warning /colour: unknown property "colour"');
  });

  it('a closed pipe (validate big.ndjson | head -1) ends cleanly, without a stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const line = oneLine('f4-all-properties.json');
    const big = file('big.ndjson', `${Array.from({ length: 20_000 }, () => line).join('\n')}\n`);
    const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'validate', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    // Like head -1: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => (child.stdout.destroy(), resolve())));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('--clock-start without --clock manual is a usage error', async () => {
    const r = await cli(['serve', '--clock-start', '2026-01-01T00:00:00Z', '--port', '0', '--db', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--clock-start .* add --clock manual/);
  });
});
