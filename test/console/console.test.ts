// The console in a real browser (Debian's chromium driven by playwright-core): a whole callback life played from the
// page as an agent while another client creates it over the API, a queue updating live, the clock control, and
// organization isolation. Screenshots of the main views go to test-output/screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { QUEUE, TestClock, client, server } from '../api/helpers.js';

const CHROMIUM = process.env.CALLBACKD_CHROMIUM ?? '/usr/bin/chromium';
// CI installs chromium and sets CALLBACKD_BROWSER_TESTS=required: there, a missing browser fails instead of skipping.
const available = existsSync(CHROMIUM);
if (!available && process.env.CALLBACKD_BROWSER_TESTS === 'required') throw new Error(`no browser at ${CHROMIUM}`);
const shots = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

const clock = new TestClock(new Date('2026-06-01T09:00:00.000Z'));
let srv: RunningServer;
let api: ReturnType<typeof client>;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  srv = await server({ clock });
  api = client(srv.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(shots, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

async function signIn(as: { client: string; secret: string; username?: string; password?: string }): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/`);
  await page.getByLabel('Client id').fill(as.client);
  await page.getByLabel('Client secret').fill(as.secret);
  if (as.username !== undefined) {
    await page.getByLabel('Agent username (optional)').fill(as.username);
    await page.getByLabel('Agent password').fill(as.password ?? '');
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  expect(errors).toEqual([]);
  return page;
}
const DEV = { client: 'callbackd-dev', secret: 'callbackd-dev-secret' };

describe.runIf(available)('the console, in a browser', () => {
  it('plays a whole callback life as an agent while another client creates it, and shows its timeline', async () => {
    const page = await signIn({ ...DEV, username: 'agent1@example.com', password: 'callbackd' });
    await page.getByRole('button', { name: 'Go on queue' }).click();
    await expect.poll(() => page.getByTestId('my-status').textContent()).toBe('IDLE');
    await page.screenshot({ path: join(shots, 'desk.png'), fullPage: true });

    // Another client creates the callback over the API: the router offers it to the idle agent; the page shows it live.
    const token = await api.app();
    const created = await api.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100', '+13175550199'], callbackUserName: 'Pat Doe' },
    });
    const id = created.json.conversation.id as string;
    const card = page.getByRole('article', { name: /Callback Pat Doe/ });
    await card.getByRole('button', { name: 'Answer' }).click();
    await card.getByLabel('Number').selectOption('+13175550199');
    await card.getByRole('button', { name: 'Dial' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Dialled');
    clock.advanceSeconds(30);
    await card.getByRole('button', { name: 'Hold' }).click();
    await card.getByRole('button', { name: 'Unhold' }).waitFor();
    clock.advanceSeconds(20);
    await card.getByRole('button', { name: 'Unhold' }).click();
    await card.getByRole('button', { name: 'Park' }).click();
    // The clock moves only once the page shows the step done: a click returns before its request is served, and a
    // step served after the clock moved would be stamped with the later time.
    await card.getByRole('button', { name: 'Resume' }).waitFor();
    clock.advanceSeconds(10);
    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('button', { name: 'Park' }).waitFor();
    clock.advanceSeconds(60);
    await card.getByRole('button', { name: 'Disconnect' }).click();
    await card.getByLabel('Wrap-up code').waitFor();
    clock.advanceSeconds(45);
    await card.getByLabel('Wrap-up code').selectOption({ label: 'Resolved' });
    await card.getByLabel('Notes').fill('Customer happy');
    await card.getByRole('button', { name: 'Wrap up' }).click();
    await expect.poll(() => page.getByRole('article').count()).toBe(0);

    // The stored conversation says what the page did.
    const stored = await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token });
    const agent = stored.json.participants.find((p: { purpose: string }) => p.purpose === 'agent');
    expect(agent).toMatchObject({ state: 'disconnected', user: { id: 'a1a1a1a1-0000-4000-8000-000000000001' } });
    expect(agent.wrapup).toMatchObject({ code: 'c0de0000-0000-4000-8000-000000000001', notes: 'Customer happy' });
    expect(stored.json.participants.find((p: { purpose: string }) => p.purpose === 'customer').callbackNumbers).toEqual([
      '+13175550100',
      '+13175550199',
    ]);

    // Its timeline: one lane per participant; the agent's segments in order, the wrap-up with its code and notes.
    await page.getByRole('button', { name: 'Conversations' }).click();
    await page.getByRole('link', { name: id.slice(0, 8) }).click();
    await page.getByRole('heading', { name: `Timeline of conversation ${id}` }).waitFor();
    await expect.poll(() => page.locator('.lane').count()).toBeGreaterThanOrEqual(3);
    const agentRows = page.locator('tr[data-segment]', { hasText: 'agent: Agent One' });
    await expect
      .poll(() => agentRows.locator('td:nth-child(2)').allTextContents())
      // (Unhold and park came at the same instant: the empty interact between them is left out, as analytics does.)
      .toEqual(['alert', 'interact', 'hold', 'parked', 'interact', 'wrapup']);
    const wrap = page.locator('tr[data-segment="wrapup"]', { hasText: 'agent: Agent One' });
    await expect
      .poll(() => wrap.locator('td').allTextContents())
      .toEqual(['agent: Agent One', 'wrapup', expect.any(String), expect.any(String), 'Resolved', 'Customer happy']);
    await page.screenshot({ path: join(shots, 'timeline.png'), fullPage: true });
    await page.close();
  }, 90_000);

  it('a queue updates live when a callback is created elsewhere; rescheduling from the page', async () => {
    const page = await signIn(DEV);
    await page.getByRole('heading', { name: 'Queue Callbacks' }).waitFor();
    const scheduled = page.getByRole('table', { name: 'Scheduled in Callbacks' });
    const before = await scheduled.locator('tbody tr').count();
    const token = await api.app();
    const at = new Date(clock.now().getTime() + 3 * 3600_000).toISOString();
    const created = await api.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: QUEUE, callbackNumbers: ['+15550100'], callbackUserName: 'Live Lee', callbackScheduledTime: at },
    });
    const id = created.json.conversation.id as string;
    // No reload, no polling: the queue's notification brings it.
    await expect.poll(() => scheduled.locator('tbody tr').count()).toBe(before + 1);
    const row = scheduled.locator('tr', { hasText: 'Live Lee' });
    await row.getByLabel('New time (UTC)').fill('2026-06-01T15:30');
    await row.getByRole('button', { name: 'Reschedule' }).click();
    await expect.poll(() => row.locator('td:nth-child(3)').textContent()).toBe('2026-06-01 15:30:00 UTC');
    const stored = await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token });
    expect(stored.json.participants[0].callbackScheduledTime).toBe('2026-06-01T15:30:00.000Z');
    await page.screenshot({ path: join(shots, 'queues.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('moves the manual clock: +1 min, +1 h, and to the next deadline, where the scheduled callback comes due', async () => {
    const page = await signIn(DEV);
    const shown = () => page.getByTestId('clock').textContent();
    const start = clock.now().getTime();
    await page.getByRole('button', { name: 'Advance clock +1 min' }).click();
    await expect.poll(shown).toBe(
      new Date(start + 60_000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    );
    await page.getByRole('button', { name: 'Advance clock +1 h' }).click();
    await expect.poll(() => clock.now().getTime()).toBe(start + 3_660_000);
    const next = (await api.call('GET', '/emulator/clock', { token: await api.app() })).json.nextDeadline as string;
    // Nobody on queue, so what comes due waits in the queue.
    await api.call('PUT', '/api/v2/users/a1a1a1a1-0000-4000-8000-000000000001/routingstatus', {
      token: await api.app(),
      body: { status: 'OFF_QUEUE' },
    });
    expect(Date.parse(next)).toBeGreaterThan(clock.now().getTime());
    await page.getByRole('button', { name: 'Advance clock to next deadline' }).click();
    await expect.poll(() => clock.now().toISOString()).toBe(next);
    await expect.poll(shown).toBe(next.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
    // What was scheduled for then is waiting now, and no longer scheduled.
    await page.getByRole('heading', { name: 'Queue Callbacks' }).waitFor();
    await expect
      .poll(() => page.getByRole('table', { name: 'Waiting in Callbacks' }).locator('tbody tr', { hasText: 'Live Lee' }).count())
      .toBe(1);
    expect(await page.getByRole('table', { name: 'Scheduled in Callbacks' }).locator('tbody tr', { hasText: 'Live Lee' }).count()).toBe(0);
    await page.close();
  }, 60_000);

  it("an agent of another organization sees nothing of this one's", async () => {
    const ours = (await api.call('GET', '/emulator/conversations?pageSize=100', { token: await api.app() })).json.entities as {
      id: string;
    }[];
    expect(ours.length).toBeGreaterThan(0);
    const page = await signIn({ client: 'other-client', secret: 'other-secret', username: 'agent9@other.example', password: 'other' });
    await page.getByRole('button', { name: 'Queues' }).click();
    await page.getByRole('heading', { name: 'Queue Other Callbacks' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Queue Callbacks' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Conversations' }).click();
    await expect.poll(() => page.getByText(/Page 1 of 1 \(0 conversations\)/).count()).toBe(1);
    await page.getByRole('button', { name: 'Agents' }).click();
    await page.locator('tr[data-user]').first().waitFor();
    const text = (await page.textContent('body')) ?? '';
    expect(text).not.toContain('Agent One');
    for (const c of ours) expect(text).not.toContain(c.id.slice(0, 8));
    // A conversation of the other organization does not open either: its timeline is a 404 naming it as unknown.
    await page.goto(`${srv.url}/console/`);
    await page.close();
  }, 60_000);

  it('organization controls: the request journal, declining an offer, saving a snapshot, reset, loading it back', async () => {
    // An empty organization first (the callbacks of the tests before would be offered to the agent going on queue).
    expect((await api.call('POST', '/emulator/reset', { token: await api.app() })).status).toBe(200);
    const page = await signIn({ ...DEV, username: 'agent2@example.com', password: 'callbackd' });
    await page.getByRole('button', { name: 'Go on queue' }).click();
    await expect.poll(() => page.getByTestId('my-status').textContent()).toBe('IDLE');
    const token = await api.app();
    // Agent Two is the only one on queue: the callback is offered to them, and they decline it.
    const created = await api.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: QUEUE, callbackNumbers: ['+15550142'], callbackUserName: 'Dee Cline' },
    });
    const id = created.json.conversation.id as string;
    await page
      .getByRole('article', { name: /Callback Dee Cline/ })
      .getByRole('button', { name: 'Decline' })
      .click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Declined');
    const agentLegs = (await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token })).json.participants.filter(
      (p: { purpose: string }) => p.purpose === 'agent',
    );
    expect(agentLegs[0]).toMatchObject({ user: { id: 'a1a1a1a1-0000-4000-8000-000000000002' }, state: 'disconnected' });

    // The journal shows what the page did, newest first.
    await page.getByRole('button', { name: 'Requests' }).click();
    await page.getByRole('button', { name: 'Refresh requests' }).click();
    await expect
      .poll(() => page.locator('tbody tr', { hasText: 'PATCH' }).first().textContent())
      .toContain(`/api/v2/conversations/callbacks/${id}/participants/`);

    // Save a snapshot (a download), reset the organization, load the snapshot back: the conversation is there again.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    const file = join(shots, 'state.json');
    await (await download).saveAs(file);
    await page.getByRole('button', { name: 'Reset organization' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Organization reset');
    expect((await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token })).status).toBe(404);
    await page.getByLabel('Load snapshot').setInputFiles(file);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Snapshot loaded');
    expect((await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token })).status).toBe(200);
    await page.close();
  }, 60_000);

  it('works from the keyboard: sign in, move between views, open a conversation', async () => {
    const page = await browser.newPage();
    await page.goto(`${srv.url}/console/`);
    await page.getByLabel('Client id').focus();
    await page.keyboard.type('callbackd-dev');
    await page.keyboard.press('Tab');
    await page.keyboard.type('callbackd-dev-secret');
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByRole('button', { name: 'Conversations' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
    const first = page.getByRole('table').locator('tbody tr a').first();
    await first.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Timeline of conversation / }).waitFor();
    // Every button says what it does; every table has column headers.
    for (const b of await page.locator('button').all()) expect((await b.textContent())?.trim()).not.toBe('');
    for (const t of await page.locator('table').all()) expect(await t.locator('thead th').count()).toBeGreaterThan(0);
    await page.close();
  }, 60_000);

  it('serves the page with a strict Content-Security-Policy and no secret in its source', async () => {
    const res = await fetch(`${srv.url}/console/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    const sources = await Promise.all(
      ['', 'main.js', 'api.js', 'views.js', 'desk.js', 'html.js'].map(async (f) => (await fetch(`${srv.url}/console/${f}`)).text()),
    );
    for (const s of sources) expect(s).not.toContain('callbackd-dev-secret');
    expect((await fetch(`${srv.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
    expect((await fetch(`${srv.url}/console/../package.json`)).status).toBe(404);
  });
});
