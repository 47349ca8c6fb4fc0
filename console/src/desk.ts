// "My desk": what an agent does, through the public API with the agent's own token, exactly as an agent desktop
// would: go on and off queue, answer or decline an offer, dial, hold, park, disconnect, wrap up.
import { useEffect, useState } from 'preact/hooks';
import { call, type Conversation, type Participant, type RoutingStatus, type Session, type WrapupCode } from './api.js';
import { html } from './html.js';

interface DeskProps {
  session: Session;
  version: number;
  now: () => Date;
  act: (what: string, run: () => Promise<unknown>) => Promise<void>;
}

/** The agent's live leg of a conversation: the last agent participant of this user that is not over, or in ACW. */
function myLeg(c: Conversation, me: string): Participant | undefined {
  return c.participants
    ?.filter((p) => p.purpose === 'agent' && p.user?.id === me)
    .filter((p) => (p.state !== 'disconnected' && p.state !== 'terminated' ? true : p.wrapupRequired === true && p.wrapup === undefined))
    .at(-1);
}

function legStatus(p: Participant): string {
  if (p.state === 'disconnected' || p.state === 'terminated') return 'after-call work';
  if (p.state === 'parked') return 'parked';
  if (p.state === 'alerting') return 'alerting';
  return p.held === true ? 'held' : 'connected';
}

export function Desk({ session, version, now, act }: DeskProps) {
  const me = session.me?.id as string;
  const token = session.agentToken as string;
  const [status, setStatus] = useState<RoutingStatus | undefined>();
  const [mine, setMine] = useState<Conversation[]>([]);
  useEffect(() => {
    void call<RoutingStatus>(token, 'GET', `/api/v2/users/${me}/routingstatus`).then(setStatus);
    void call<{ entities?: Conversation[] }>(token, 'GET', '/api/v2/conversations/callbacks').then((r) => setMine(r.entities ?? []));
  }, [version]);
  const setRouting = (s: 'IDLE' | 'OFF_QUEUE') =>
    act(s === 'IDLE' ? 'Went on queue' : 'Went off queue', () => call(token, 'PUT', `/api/v2/users/${me}/routingstatus`, { status: s }));
  const onQueue = status !== undefined && status.status !== 'OFF_QUEUE';
  return html`
    <section aria-labelledby="desk-title">
      <h2 id="desk-title">My desk: ${session.me?.name}</h2>
      <p>
        Routing status: <span class="status" data-testid="my-status">${status?.status ?? '…'}</span>
        ${' '}
        ${
          onQueue
            ? html`<button type="button" onClick=${() => setRouting('OFF_QUEUE')}>Go off queue</button>`
            : html`<button type="button" onClick=${() => setRouting('IDLE')}>Go on queue</button>`
        }
      </p>
      <h3>My callbacks</h3>
      ${mine.length === 0 ? html`<p class="muted">No callback for you right now.</p>` : ''}
      <div class="desk">
        ${mine.map((c) => {
          const leg = myLeg(c, me);
          return leg === undefined ? '' : html`<${MyCallback} key=${c.id} c=${c} leg=${leg} token=${token} now=${now} act=${act} />`;
        })}
      </div>
    </section>
  `;
}

interface CallbackProps {
  c: Conversation;
  leg: Participant;
  token: string;
  now: () => Date;
  act: DeskProps['act'];
}

function MyCallback({ c, leg, token, now, act }: CallbackProps) {
  const customer = c.participants?.find((p) => p.purpose === 'customer');
  const numbers = customer?.callbackNumbers ?? [];
  const [number, setNumber] = useState(numbers[0] ?? '');
  const [codes, setCodes] = useState<WrapupCode[]>([]);
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const status = legStatus(leg);
  const base = `/api/v2/conversations/callbacks/${c.id}/participants/${leg.id}`;
  const patch = (what: string, body: unknown) => act(what, () => call(token, 'PATCH', base, body));
  useEffect(() => {
    if (status !== 'after-call work') return;
    void call<WrapupCode[]>(token, 'GET', `${base}/wrapupcodes`).then((list) => {
      setCodes(list);
      setCode((current) => current || (list[0]?.id ?? ''));
    });
  }, [status]);
  const label = `${customer?.callbackUserName ?? 'Callback'} (${c.id?.slice(0, 8)})`;
  return html`
    <article class="card" aria-label=${`Callback ${label}`} data-conversation=${c.id}>
      <strong>${label}</strong> · <span class="status">${status}</span>
      <div class="actions">
        ${
          status === 'alerting'
            ? html`
                <button type="button" onClick=${() => patch('Answered', { state: 'connected' })}>Answer</button>
                <button type="button" onClick=${() => patch('Declined', { state: 'disconnected' })}>Decline</button>
              `
            : ''
        }
        ${
          status === 'connected' || status === 'held'
            ? html`
                <label>
                  Number
                  <select value=${number} onChange=${(e: Event) => setNumber((e.target as HTMLSelectElement).value)}>
                    ${numbers.map((n) => html`<option value=${n}>${n}</option>`)}
                  </select>
                </label>
                <button
                  type="button"
                  onClick=${() => act('Dialled', () => call(token, 'POST', `/api/v2/conversations/calls/${c.id}`, { callNumber: number }))}
                >
                  Dial
                </button>
                ${
                  status === 'held'
                    ? html`<button type="button" onClick=${() => patch('Taken off hold', { held: false })}>Unhold</button>`
                    : html`<button type="button" onClick=${() => patch('Held', { held: true })}>Hold</button>`
                }
                <button
                  type="button"
                  onClick=${() => patch('Parked', { state: 'parked', resumeTime: new Date(now().getTime() + 600_000).toISOString() })}
                >
                  Park
                </button>
                <button type="button" onClick=${() => patch('Disconnected', { state: 'disconnected' })}>Disconnect</button>
              `
            : ''
        }
        ${status === 'parked' ? html`<button type="button" onClick=${() => patch('Resumed', { state: 'connected' })}>Resume</button>` : ''}
        ${
          status === 'after-call work'
            ? html`
                <label>
                  Wrap-up code
                  <select value=${code} onChange=${(e: Event) => setCode((e.target as HTMLSelectElement).value)}>
                    ${codes.map((w) => html`<option value=${w.id}>${w.name}</option>`)}
                  </select>
                </label>
                <label>
                  Notes
                  <textarea rows="2" value=${notes} onInput=${(e: Event) => setNotes((e.target as HTMLTextAreaElement).value)}></textarea>
                </label>
                <button type="button" onClick=${() => patch('Wrapped up', { wrapup: { code, notes } })}>Wrap up</button>
              `
            : ''
        }
      </div>
    </article>
  `;
}
