// A WebSocket client for tests: collects every frame a channel's socket receives and waits for the ones wanted.
import WebSocket from 'ws';

export interface Frame {
  topicName?: string;
  version?: string;
  eventBody?: any;
  metadata?: { CorrelationId?: string };
  [k: string]: unknown;
}

export class SocketClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(uri: string, headers: Record<string, string> = {}): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(uri, { headers });
      const c = new SocketClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Frames of a topic (heartbeats and pongs are on channel.metadata). */
  on(topic: string): Frame[] {
    return this.frames.filter((f) => f.topicName === topic);
  }

  /** Waits until `ready` holds (checked on every frame), at most `ms`. */
  async until<T>(ready: () => T | undefined | false, ms = 3000, what = 'a frame'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = ready();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.topicName ?? f))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the n-th frame of a topic (1-based) and returns all of them so far. */
  count(topic: string, n: number, ms = 3000): Promise<Frame[]> {
    return this.until(() => (this.on(topic).length >= n ? this.on(topic) : undefined), ms, `${n} frames of ${topic}`);
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(): void {
    this.ws.close();
  }
}
