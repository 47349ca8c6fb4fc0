// The notification sockets: `ws://host:port/channels/{channelId}` (a channel's connectUri), on the API's own server.
// Frames and rules are the notifications service's; this file speaks WebSocket (ws), answers ping and in-socket
// subscribe, sends the heartbeat, and closes a socket whose client reads too slowly rather than buffer without bound.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CLOSE, PONG, type Connection, type NotificationService } from '../service/notifications.js';

export interface SocketOptions {
  /** How often the heartbeat goes out (30 s; CALLBACKD_HEARTBEAT_SECONDS). */
  heartbeatMs: number;
  /** Bytes a socket may have waiting to be sent before it is closed as too slow (4 MiB). */
  maxBufferedBytes: number;
  /** Whether a browser page of this origin may open a socket. */
  allowOrigin: (origin: string | undefined) => boolean;
}

/** WebSocket.OPEN (the class itself is loaded lazily). */
const OPEN = 1;
const PATH = /^\/channels\/([A-Za-z0-9-]{1,100})\/?$/;

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ message: text, code: status === 404 ? 'not.found' : 'not.authorized', status });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Parses a client frame: JSON, or the single-quoted variant some clients send (`{'message':'ping'}`). */
function parse(text: string): Record<string, unknown> | undefined {
  for (const t of [text, text.replace(/'/g, '"')]) {
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // next form
    }
  }
  return undefined;
}

export function attachSockets(server: Server, notifications: NotificationService, options: SocketOptions): { close(): Promise<void> } {
  // ws is loaded with the first socket (~25 ms a server that nobody subscribes to need not spend at start).
  let wss: WebSocketServer | undefined;
  let loading: Promise<WebSocketServer> | undefined;
  const load = () =>
    (loading ??= import('ws').then(({ WebSocketServer: Server }) => (wss = new Server({ noServer: true, maxPayload: 64 * 1024 }))));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const id = PATH.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
    if (id === undefined || !notifications.isOpen(id)) return refuse(socket, 404, `No channel at ${req.url ?? ''}.`);
    if (!options.allowOrigin(req.headers.origin)) return refuse(socket, 403, `Origin ${req.headers.origin ?? ''} is not allowed.`);
    void load().then((w) => w.handleUpgrade(req, socket, head, (ws) => serve(ws, id)));
  });

  function serve(ws: WebSocket, id: string): void {
    const connection: Connection = {
      send(text) {
        if (ws.readyState !== OPEN) return;
        if (ws.bufferedAmount > options.maxBufferedBytes) {
          notifications.disconnect(id, connection);
          ws.close(CLOSE.policy, `The client reads too slowly: over ${options.maxBufferedBytes} bytes were waiting.`);
          setTimeout(() => ws.terminate(), 2000).unref();
          return;
        }
        ws.send(text);
      },
      close(code, reason) {
        ws.close(code, reason);
        setTimeout(() => ws.terminate(), 2000).unref();
      },
    };
    if (!notifications.connect(id, connection)) return ws.close(CLOSE.normal, `Channel ${id} was not found.`);
    ws.on('close', () => notifications.disconnect(id, connection));
    ws.on('error', () => notifications.disconnect(id, connection));
    // Messages are answered in the order they came, a subscribe (which reads the store) included.
    let answered = Promise.resolve();
    ws.on('message', (data, binary) => {
      if (binary) return;
      const msg = parse(data.toString());
      if (msg?.message === 'ping') answered = answered.then(() => connection.send(PONG));
      else if (msg?.message === 'subscribe')
        answered = answered.then(async () => connection.send(await notifications.socketSubscribe(id, msg.topics, msg.correlationId)));
    });
  }

  const heartbeat = setInterval(() => notifications.heartbeat(), options.heartbeatMs);
  const sweep = setInterval(() => notifications.sweep(), 1000);
  heartbeat.unref();
  sweep.unref();
  return {
    /** Every socket told `v2.system.socket_closing` and closed cleanly; those that do not answer in 2 s are cut. */
    async close() {
      clearInterval(heartbeat);
      clearInterval(sweep);
      notifications.shutdown();
      if (wss === undefined) return;
      const deadline = Date.now() + 2000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
