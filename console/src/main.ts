// The console's root: sign-in, the header (the service's clock and the organization's controls), the views, and the
// notification channel that keeps them live. Tokens live in memory only: a reload signs out.
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, fmtTime, follow, signIn, type Clock, type Queue, type Session, type User } from './api.js';
import { Desk } from './desk.js';
import { html } from './html.js';
import { AgentsView, ConversationsView, QueuesView, RequestsView, TimelineView, type ViewProps } from './views.js';

type View = 'queues' | 'agents' | 'conversations' | 'requests' | 'desk';

function SignIn({ onSession }: { onSession: (s: Session) => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const get = (k: string) => String(form.get(k) ?? '');
    setBusy(true);
    setError('');
    try {
      onSession(await signIn(get('clientId'), get('clientSecret'), get('username'), get('password')));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main class="signin">
      <h1>callbackd console</h1>
      <p class="muted">
        Sign in with an OAuth client of your organization (the serve banner names the development one), and as an agent to act.
      </p>
      <form onSubmit=${submit}>
        <label>Client id<input name="clientId" required autocomplete="username" /></label>
        <label>Client secret<input name="clientSecret" type="password" required autocomplete="current-password" /></label>
        <label>Agent username (optional)<input name="username" autocomplete="off" /></label>
        <label>Agent password<input name="password" type="password" autocomplete="off" /></label>
        <button type="submit" disabled=${busy}>Sign in</button>
      </form>
      ${error !== '' ? html`<p class="error" role="alert">${error}</p>` : ''}
    </main>
  `;
}

/** Downloads a text as a file (the snapshot). */
function download(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}

function Console({ session, signOut }: { session: Session; signOut: () => void }) {
  const [view, setView] = useState<View>(session.agentToken !== undefined ? 'desk' : 'queues');
  const [conversation, setConversation] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [clock, setClock] = useState<{ at: Clock; read: number } | undefined>();
  const [, setTick] = useState(0);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const pending = useRef<number | undefined>(undefined);

  // Events come in bursts (one change touches several topics): the views read again once per burst.
  const changed = useCallback(() => {
    if (pending.current !== undefined) return;
    pending.current = window.setTimeout(() => {
      pending.current = undefined;
      setVersion((v) => v + 1);
    }, 100);
  }, []);

  const readClock = () => call<Clock>(session.orgToken, 'GET', '/emulator/clock').then((at) => setClock({ at, read: Date.now() }));
  useEffect(() => {
    void readClock();
  }, [version]);
  // The displayed time moves on its own on the system clock (no request: the offset from when it was read).
  useEffect(() => {
    const t = window.setInterval(() => setTick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, []);
  const now = () =>
    clock === undefined
      ? new Date()
      : new Date(Date.parse(clock.at.now as string) + (clock.at.mode === 'system' ? Date.now() - clock.read : 0));

  useEffect(() => {
    let close: (() => void) | undefined;
    let cancelled = false;
    void (async () => {
      const qs = (await call<{ entities?: Queue[] }>(session.orgToken, 'GET', '/api/v2/routing/queues?pageSize=100')).entities ?? [];
      const users = (await call<{ entities?: User[] }>(session.orgToken, 'GET', '/api/v2/users?pageSize=100')).entities ?? [];
      if (cancelled) return;
      setQueues(qs);
      const topics = [
        ...qs.map((q) => `v2.routing.queues.${q.id}.conversations.callbacks`),
        ...users.map((u) => `v2.users.${u.id}.routingStatus`),
        ...users.map((u) => `v2.users.${u.id}.conversations.callbacks`),
      ];
      close = await follow(session, topics, changed);
      if (cancelled) close();
    })().catch((e: Error) => setMessage({ text: `Live updates are off: ${e.message}`, error: true }));
    return () => {
      cancelled = true;
      close?.();
    };
  }, [session]);

  const act = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      setMessage({ text: what, error: false });
    } catch (e) {
      setMessage({ text: e instanceof ApiError ? `${e.message} (${e.code})` : String(e), error: true });
    }
    changed();
  };
  const advance = (body: unknown) => act('Clock moved', () => call(session.orgToken, 'POST', '/emulator/clock', body));
  const loadSnapshot = (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file !== undefined)
      void act('Snapshot loaded', async () => call(session.orgToken, 'PUT', '/emulator/state', JSON.parse(await file.text())));
  };
  const props: ViewProps = { session, version, now, act, queues, open: (id) => (setConversation(id), setView('conversations')) };
  const tab = (v: View, label: string) =>
    html`<button
      type="button"
      aria-current=${view === v && conversation === undefined ? 'page' : undefined}
      onClick=${() => (setConversation(undefined), setView(v))}
    >
      ${label}
    </button>`;
  const manual = clock?.at.mode === 'manual';
  return html`
    <header>
      <h1>callbackd console</h1>
      <span class="clock" aria-live="polite"
        >Clock: <span data-testid="clock">${clock !== undefined ? fmtTime(now().toISOString()) : '…'}</span> (${clock?.at.mode ?? ''})</span
      >
      ${
        manual
          ? html`
              <button type="button" onClick=${() => advance({ advance: 'PT1M' })}>Advance clock +1 min</button>
              <button type="button" onClick=${() => advance({ advance: 'PT1H' })}>Advance clock +1 h</button>
              <button
                type="button"
                disabled=${clock?.at.nextDeadline === undefined}
                onClick=${() => advance({ instant: clock?.at.nextDeadline })}
              >
                Advance clock to next deadline
              </button>
            `
          : ''
      }
      <button type="button" onClick=${() => act('Organization reset', () => call(session.orgToken, 'POST', '/emulator/reset'))}>
        Reset organization
      </button>
      <button
        type="button"
        onClick=${() => act('Snapshot saved', async () => download('callbackd-state.json', JSON.stringify(await call(session.orgToken, 'GET', '/emulator/state'))))}
      >
        Save snapshot
      </button>
      <label>Load snapshot<input type="file" accept="application/json" onChange=${loadSnapshot} /></label>
      <span>${session.me !== undefined ? `Agent: ${session.me.name}` : `Client: ${session.clientId}`}</span>
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    <nav aria-label="Views">
      ${session.agentToken !== undefined ? tab('desk', 'My desk') : ''} ${tab('queues', 'Queues')} ${tab('agents', 'Agents')}
      ${tab('conversations', 'Conversations')} ${tab('requests', 'Requests')}
    </nav>
    <main>
      ${message !== undefined ? html`<p class=${message.error ? 'error' : 'muted'} role="status">${message.text}</p>` : ''}
      ${
        conversation !== undefined
          ? html`<${TimelineView} ...${props} conversationId=${conversation} back=${() => setConversation(undefined)} />`
          : view === 'desk'
            ? html`<${Desk} session=${session} version=${version} now=${now} act=${act} />`
            : view === 'queues'
              ? html`<${QueuesView} ...${props} />`
              : view === 'agents'
                ? html`<${AgentsView} ...${props} />`
                : view === 'conversations'
                  ? html`<${ConversationsView} ...${props} />`
                  : html`<${RequestsView} ...${props} />`
      }
    </main>
  `;
}

function App() {
  const [session, setSession] = useState<Session | undefined>();
  return session === undefined
    ? html`<${SignIn} onSession=${setSession} />`
    : html`<${Console} session=${session} signOut=${() => setSession(undefined)} />`;
}

const root = document.getElementById('app') as HTMLElement;
root.textContent = '';
render(html`<${App} />`, root);
