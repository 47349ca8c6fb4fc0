// What the console shows: queues (waiting, scheduled, members), agents, the conversations list, one conversation's
// timeline, and the request journal. Each view reads when it opens and again when an event arrives (`version`).
import { useEffect, useState } from 'preact/hooks';
import {
  call,
  fmtDuration,
  fmtTime,
  type Analytics,
  type Journal,
  type Queue,
  type QueueMember,
  type RoutingStatus,
  type Session,
  type Summary,
  type SummaryListing,
  type User,
  type WrapupCode,
} from './api.js';
import { html } from './html.js';

export interface ViewProps {
  session: Session;
  version: number;
  now: () => Date;
  act: (what: string, run: () => Promise<unknown>) => Promise<void>;
  queues: Queue[];
  open: (conversationId: string) => void;
}

/** A table's column headers. */
const Head = ({ cols }: { cols: string[] }) =>
  html`<thead>
    <tr>
      ${cols.map((c) => html`<th scope="col">${c}</th>`)}
    </tr>
  </thead>`;

const summaries = (session: Session, query: Record<string, string>) =>
  call<SummaryListing>(session.orgToken, 'GET', `/emulator/conversations?${new URLSearchParams(query).toString()}`);

/** datetime-local values are read as UTC (the service's clock is UTC). */
const fromLocal = (v: string): string | undefined => (v === '' ? undefined : `${v}:00.000Z`);

// ---- queues ----

export function QueuesView(props: ViewProps) {
  return html`
    <${CreateCallback} ...${props} />
    ${props.queues.map((q) => html`<${QueuePanel} key=${q.id} queue=${q} ...${props} />`)}
  `;
}

function CreateCallback({ session, queues, act }: ViewProps) {
  const [queueId, setQueueId] = useState('');
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [when, setWhen] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const at = fromLocal(when);
    void act('Callback created', () =>
      call(session.orgToken, 'POST', '/api/v2/conversations/callbacks', {
        queueId: queueId || queues[0]?.id,
        callbackNumbers: [number],
        ...(name !== '' ? { callbackUserName: name } : {}),
        ...(at !== undefined ? { callbackScheduledTime: at } : {}),
      }),
    );
  };
  return html`
    <section aria-labelledby="create-title">
      <h2 id="create-title">Create a callback</h2>
      <form class="inline" onSubmit=${submit}>
        <label>
          Queue
          <select value=${queueId || queues[0]?.id} onChange=${(e: Event) => setQueueId((e.target as HTMLSelectElement).value)}>
            ${queues.map((q) => html`<option value=${q.id}>${q.name}</option>`)}
          </select>
        </label>
        <label
          >Callback number<input required value=${number} onInput=${(e: Event) => setNumber((e.target as HTMLInputElement).value)}
        /></label>
        <label>Customer name<input value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>
          Scheduled for (UTC, empty: now)
          <input type="datetime-local" value=${when} onInput=${(e: Event) => setWhen((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Create callback</button>
      </form>
    </section>
  `;
}

function QueuePanel({ session, version, now, act, queue, open }: ViewProps & { queue: Queue }) {
  const [waiting, setWaiting] = useState<Summary[]>([]);
  const [offered, setOffered] = useState<Summary[]>([]);
  const [scheduled, setScheduled] = useState<Summary[]>([]);
  const [members, setMembers] = useState<QueueMember[]>([]);
  const id = queue.id as string;
  useEffect(() => {
    void summaries(session, { queueId: id, phase: 'queued', pageSize: '100' }).then((r) => setWaiting(r.entities ?? []));
    void summaries(session, { queueId: id, phase: 'offered', pageSize: '100' }).then((r) => setOffered(r.entities ?? []));
    void summaries(session, { queueId: id, phase: 'scheduled', pageSize: '100' }).then((r) => setScheduled(r.entities ?? []));
    void call<{ entities?: QueueMember[] }>(session.orgToken, 'GET', `/api/v2/routing/queues/${id}/members?pageSize=100`).then((r) =>
      setMembers(r.entities ?? []),
    );
  }, [version, id]);
  // Highest priority first, then longest waiting: the order the router offers them in.
  const order = [...waiting].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
  const byTime = [...scheduled].sort((a, b) => (a.scheduledTime ?? '').localeCompare(b.scheduledTime ?? ''));
  const t = now().getTime();
  return html`
    <section aria-labelledby=${`queue-${id}`} data-queue=${id}>
      <h2 id=${`queue-${id}`}>Queue ${queue.name}</h2>
      <h3>Waiting (${order.length})</h3>
      <table aria-label=${`Waiting in ${queue.name}`}>
        <${Head} cols=${['Conversation', 'Customer', 'Priority', 'Waiting']} />
        <tbody>
          ${order.map(
            (c) =>
              html`<tr>
                <td><${ConversationLink} c=${c} open=${open} /></td>
                <td>${c.customerName ?? c.callbackNumbers?.[0]}</td>
                <td>${c.priority}</td>
                <td>${c.queuedAt !== undefined ? fmtDuration(t - Date.parse(c.queuedAt)) : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${offered.length > 0 ? html`<p>Offered now: ${offered.map((c) => html`<${ConversationLink} c=${c} open=${open} /> `)}</p>` : ''}
      <h3>Scheduled (${byTime.length})</h3>
      <table aria-label=${`Scheduled in ${queue.name}`}>
        <${Head} cols=${['Conversation', 'Customer', 'Scheduled for', 'Reschedule']} />
        <tbody>
          ${byTime.map((c) => html`<${ScheduledRow} key=${c.id} c=${c} session=${session} act=${act} open=${open} />`)}
        </tbody>
      </table>
      <h3>Members</h3>
      <table aria-label=${`Members of ${queue.name}`}>
        <${Head} cols=${['Agent', 'Routing status', 'Since']} />
        <tbody>
          ${members.map(
            (m) =>
              html`<tr>
                <td>${m.name}</td>
                <td class="status">${m.routingStatus?.status}</td>
                <td>
                  ${m.routingStatus?.startTime !== undefined && Date.parse(m.routingStatus.startTime) > 0 ? fmtTime(m.routingStatus.startTime) : '—'}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  `;
}

function ScheduledRow({ c, session, act, open }: { c: Summary; session: Session; act: ViewProps['act']; open: ViewProps['open'] }) {
  const [when, setWhen] = useState('');
  const reschedule = (e: Event) => {
    e.preventDefault();
    const at = fromLocal(when);
    if (at === undefined) return;
    void act('Rescheduled', () =>
      call(session.orgToken, 'PATCH', '/api/v2/conversations/callbacks', { conversationId: c.id, callbackScheduledTime: at }),
    );
  };
  return html`<tr>
    <td><${ConversationLink} c=${c} open=${open} /></td>
    <td>${c.customerName ?? c.callbackNumbers?.[0]}</td>
    <td>${fmtTime(c.scheduledTime)}</td>
    <td>
      <form class="inline" onSubmit=${reschedule}>
        <label
          >New time (UTC)<input
            type="datetime-local"
            required
            value=${when}
            onInput=${(e: Event) => setWhen((e.target as HTMLInputElement).value)}
        /></label>
        <button type="submit">Reschedule</button>
      </form>
    </td>
  </tr>`;
}

function ConversationLink({ c, open }: { c: Summary; open: ViewProps['open'] }) {
  const id = c.id as string;
  return html`<a href=${`#/conversations/${id}`} onClick=${(e: Event) => (e.preventDefault(), open(id))}>${id.slice(0, 8)}</a>`;
}

// ---- agents ----

export function AgentsView({ session, version, now, open }: ViewProps) {
  const [users, setUsers] = useState<User[]>([]);
  const [statuses, setStatuses] = useState<Record<string, RoutingStatus>>({});
  const [busy, setBusy] = useState<Summary[]>([]);
  useEffect(() => {
    void (async () => {
      const list = (await call<{ entities?: User[] }>(session.orgToken, 'GET', '/api/v2/users?pageSize=100')).entities ?? [];
      setUsers(list);
      const pairs = await Promise.all(
        list.map(async (u) => [u.id, await call<RoutingStatus>(session.orgToken, 'GET', `/api/v2/users/${u.id}/routingstatus`)] as const),
      );
      setStatuses(Object.fromEntries(pairs));
      const going = await Promise.all(['offered', 'active'].map((phase) => summaries(session, { phase, pageSize: '100' })));
      setBusy(going.flatMap((r) => r.entities ?? []));
    })();
  }, [version]);
  const t = now().getTime();
  return html`
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <table>
        <${Head} cols=${['Agent', 'Routing status', 'Time in status', 'On conversation']} />
        <tbody>
          ${users.map((u) => {
            const s = statuses[u.id as string];
            const on = busy.filter((c) => c.agents?.some((a) => a.userId === u.id && a.status !== 'done'));
            return html`<tr data-user=${u.id}>
              <td>${u.name}</td>
              <td class="status">${s?.status ?? ''}</td>
              <td>${s?.startTime !== undefined && Date.parse(s.startTime) > 0 ? fmtDuration(t - Date.parse(s.startTime)) : '—'}</td>
              <td>${on.map((c) => html`<${ConversationLink} c=${c} open=${open} /> `)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>
  `;
}

// ---- conversations ----

const PHASES = ['scheduled', 'queued', 'offered', 'active', 'ended'];

export function ConversationsView({ session, version, queues, open }: ViewProps) {
  const [filter, setFilter] = useState({ queueId: '', phase: '', after: '', before: '' });
  const [draft, setDraft] = useState(filter);
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState<SummaryListing | undefined>();
  useEffect(() => {
    const q: Record<string, string> = { pageSize: '25', pageNumber: String(page) };
    if (filter.queueId !== '') q.queueId = filter.queueId;
    if (filter.phase !== '') q.phase = filter.phase;
    const after = fromLocal(filter.after);
    const before = fromLocal(filter.before);
    if (after !== undefined) q.startedAfter = after;
    if (before !== undefined) q.startedBefore = before;
    void summaries(session, q).then(setListing);
  }, [version, filter, page]);
  const pages = Math.max(1, Math.ceil((listing?.total ?? 0) / 25));
  const name = (id: string | undefined) => queues.find((q) => q.id === id)?.name ?? id;
  const set = (k: keyof typeof draft) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  return html`
    <section aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      <form class="inline" onSubmit=${(e: Event) => (e.preventDefault(), setPage(1), setFilter(draft))}>
        <label
          >Queue<select value=${draft.queueId} onChange=${set('queueId')}>
            <option value="">Any</option>
            ${queues.map((q) => html`<option value=${q.id}>${q.name}</option>`)}
          </select></label
        >
        <label
          >Phase<select value=${draft.phase} onChange=${set('phase')}>
            <option value="">Any</option>
            ${PHASES.map((p) => html`<option value=${p}>${p}</option>`)}
          </select></label
        >
        <label>Created after (UTC)<input type="datetime-local" value=${draft.after} onInput=${set('after')} /></label>
        <label>Created before (UTC)<input type="datetime-local" value=${draft.before} onInput=${set('before')} /></label>
        <button type="submit">Apply filters</button>
      </form>
      <table>
        <${Head} cols=${['Conversation', 'Queue', 'Phase', 'Created', 'Customer', 'Agents']} />
        <tbody>
          ${(listing?.entities ?? []).map(
            (c) =>
              html`<tr>
                <td><${ConversationLink} c=${c} open=${open} /></td>
                <td>${name(c.queueId)}</td>
                <td>${c.phase}</td>
                <td>${fmtTime(c.createdAt)}</td>
                <td>${c.customerName ?? c.callbackNumbers?.[0]}</td>
                <td>${(c.agents ?? []).map((a) => `${a.status}`).join(', ')}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p>
        <button type="button" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous page</button>
        ${' '}<span>Page ${page} of ${pages} (${listing?.total ?? 0} conversations)</span>${' '}
        <button type="button" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>Next page</button>
      </p>
    </section>
  `;
}

// ---- one conversation's timeline ----

const SEGMENTS = ['scheduled', 'interact', 'alert', 'dialing', 'hold', 'parked', 'wrapup'];

export function TimelineView({ session, version, now, conversationId, back }: ViewProps & { conversationId: string; back: () => void }) {
  const [record, setRecord] = useState<Analytics | undefined>();
  const [users, setUsers] = useState<Record<string, string>>({});
  const [codes, setCodes] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  useEffect(() => {
    call<Analytics>(session.orgToken, 'GET', `/api/v2/analytics/conversations/${conversationId}/details`).then(setRecord, (e: Error) =>
      setError(e.message),
    );
    void call<{ entities?: User[] }>(session.orgToken, 'GET', '/api/v2/users?pageSize=100').then((r) =>
      setUsers(Object.fromEntries((r.entities ?? []).map((u) => [u.id, u.name]))),
    );
    void call<{ entities?: WrapupCode[] }>(session.orgToken, 'GET', '/api/v2/routing/wrapupcodes?pageSize=100').then((r) =>
      setCodes(Object.fromEntries((r.entities ?? []).map((w) => [w.id, w.name]))),
    );
  }, [version, conversationId]);
  if (error !== '') return html`<p class="error" role="alert">${error}</p>`;
  if (record === undefined) return html`<p>Loading…</p>`;
  const end = now().getTime();
  const spans = (record.participants ?? []).flatMap((p) =>
    (p.sessions ?? []).flatMap((s) =>
      (s.segments ?? []).map((g) => ({
        start: Date.parse(g.segmentStart as string),
        end: g.segmentEnd !== undefined ? Date.parse(g.segmentEnd) : end,
      })),
    ),
  );
  const t0 = Math.min(...spans.map((s) => s.start));
  const t1 = Math.max(t0 + 1000, ...spans.map((s) => s.end));
  const x = (t: number) => ((t - t0) / (t1 - t0)) * 1000;
  const laneName = (p: NonNullable<Analytics['participants']>[number]) =>
    `${p.purpose}${p.userId !== undefined ? `: ${users[p.userId] ?? p.userId}` : p.participantName !== undefined ? `: ${p.participantName}` : ''}`;
  return html`
    <section aria-labelledby="timeline-title">
      <p><button type="button" onClick=${back}>Back to conversations</button></p>
      <h2 id="timeline-title">Timeline of conversation ${conversationId}</h2>
      <p class="muted">From ${fmtTime(new Date(t0).toISOString())} to ${fmtTime(new Date(t1).toISOString())} (${fmtDuration(t1 - t0)})</p>
      <p class="legend">
        ${SEGMENTS.map(
          (s) =>
            html`<span
              ><svg width="12" height="12" aria-hidden="true"><rect class=${`seg seg-${s}`} width="12" height="12" /></svg> ${s}</span
            >`,
        )}
      </p>
      <div class="lanes">
        ${(record.participants ?? []).map(
          (p) =>
            html`<div class="lane" data-lane=${p.purpose}>
              <span>${laneName(p)}</span>
              <svg class="track" viewBox="0 0 1000 20" preserveAspectRatio="none" role="img" aria-label=${`Segments of ${laneName(p)}`}>
                ${(p.sessions ?? []).flatMap((s) =>
                  (s.segments ?? []).map((g) => {
                    const a = x(Date.parse(g.segmentStart as string));
                    const b = x(g.segmentEnd !== undefined ? Date.parse(g.segmentEnd) : end);
                    return html`<rect class=${`seg seg-${g.segmentType}`} x=${a} y="0" width=${Math.max(2, b - a)} height="20"
                      ><title>${g.segmentType}</title></rect
                    >`;
                  }),
                )}
              </svg>
            </div>`,
        )}
      </div>
      <table aria-label="Segments">
        <${Head} cols=${['Participant', 'Segment', 'Start', 'End', 'Wrap-up code', 'Notes']} />
        <tbody>
          ${(record.participants ?? []).flatMap((p) =>
            (p.sessions ?? []).flatMap((s) =>
              (s.segments ?? []).map(
                (g) =>
                  html`<tr data-segment=${g.segmentType}>
                    <td>${laneName(p)}</td>
                    <td>${g.segmentType}</td>
                    <td>${fmtTime(g.segmentStart)}</td>
                    <td>${fmtTime(g.segmentEnd)}</td>
                    <td>${g.wrapUpCode !== undefined ? (codes[g.wrapUpCode] ?? g.wrapUpCode) : ''}</td>
                    <td>${g.wrapUpNote ?? ''}</td>
                  </tr>`,
              ),
            ),
          )}
        </tbody>
      </table>
    </section>
  `;
}

// ---- the request journal ----

export function RequestsView({ session, act }: ViewProps) {
  const [journal, setJournal] = useState<Journal | undefined>();
  const load = () => void call<Journal>(session.orgToken, 'GET', '/emulator/requests?limit=100').then(setJournal);
  useEffect(load, []);
  return html`
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Requests</h2>
      <p>
        <button type="button" onClick=${load}>Refresh requests</button>${' '}
        <button
          type="button"
          onClick=${() => act('Requests cleared', () => call(session.orgToken, 'DELETE', '/emulator/requests')).then(load)}
        >
          Clear requests
        </button>
      </p>
      <table>
        <${Head} cols=${['Time', 'Method', 'Path', 'Status', 'ms', 'Correlation id']} />
        <tbody>
          ${(journal?.entities ?? []).map(
            (r) =>
              html`<tr>
                <td>${fmtTime(r.time)}</td>
                <td>${r.method}</td>
                <td>${r.path}${r.query !== undefined ? `?${r.query}` : ''}</td>
                <td>${r.status}</td>
                <td>${r.durationMs}</td>
                <td>${r.correlationId}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  `;
}
