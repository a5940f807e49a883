/**
 * The live event stream (/api/events, same origin, cookie auth). One socket for the page.
 * It reconnects with backoff, and after a reconnect asks the server for what it missed
 * on each task being watched ({"resume":{task_id, after_seq}}). Events are de-duplicated
 * by (task, seq), so a replay and a live event never show twice. Close code 4401 means
 * the token was rotated: the log-in screen takes over and no reconnect is tried.
 */

export interface HobEvent {
  type: string;
  task_id: string;
  seq: number;
  at: number;
  [field: string]: unknown;
}

type Listener = (event: HobEvent) => void;

/** Recent events per task, so a view that starts watching a moment late still sees the start. */
const KEEP_TASKS = 30;

class EventStream {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = true;
  private readonly seen = new Map<string, Set<number>>();
  private readonly recent = new Map<string, HobEvent[]>();
  private readonly listeners = new Set<Listener>();
  private readonly watched = new Map<string, number>();
  onUnauthorised: () => void = () => {};
  onState: (state: "live" | "connecting" | "offline") => void = () => {};

  start(): void {
    this.stopped = false;
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close(1000, "logged out");
    this.socket = undefined;
  }

  /** Every event, as it arrives. Returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One task's events: what is already here, then live ones (with catch-up after reconnects). */
  watch(taskId: string, listener: Listener): () => void {
    for (const event of this.recent.get(taskId) ?? []) listener(event);
    const filtered: Listener = (event) => {
      if (event.task_id === taskId) listener(event);
    };
    this.listeners.add(filtered);
    this.watched.set(taskId, (this.watched.get(taskId) ?? 0) + 1);
    this.resume(taskId);
    return () => {
      this.listeners.delete(filtered);
      const left = (this.watched.get(taskId) ?? 1) - 1;
      if (left <= 0) this.watched.delete(taskId);
      else this.watched.set(taskId, left);
    };
  }

  private resume(taskId: string): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return; // sent on open instead
    const seqs = this.seen.get(taskId);
    const after = seqs ? Math.max(0, ...seqs) : 0;
    this.socket.send(JSON.stringify({ resume: { task_id: taskId, after_seq: after } }));
  }

  private connect(): void {
    this.onState("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/events`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.onState("live");
      for (const taskId of this.watched.keys()) this.resume(taskId);
    });
    socket.addEventListener("message", (message) => {
      let event: HobEvent;
      try {
        event = JSON.parse(String(message.data)) as HobEvent;
      } catch {
        return;
      }
      if (typeof event.task_id !== "string" || typeof event.seq !== "number") return; // e.g. an error reply
      this.deliver(event);
    });
    socket.addEventListener("close", (closed) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (closed.code === 4401) {
        this.stopped = true;
        this.onState("offline");
        this.onUnauthorised();
        return;
      }
      if (this.stopped) return;
      this.onState("offline");
      // Backoff 0.5 s, 1 s, 2 s … up to 15 s, with jitter so many tabs do not reconnect in step.
      const delay = Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.timer = window.setTimeout(() => this.connect(), delay);
    });
  }

  private deliver(event: HobEvent): void {
    let seqs = this.seen.get(event.task_id);
    if (!seqs) {
      seqs = new Set();
      this.seen.set(event.task_id, seqs);
      if (this.seen.size > KEEP_TASKS * 4) {
        const oldest = this.seen.keys().next().value as string;
        this.seen.delete(oldest);
      }
    }
    if (seqs.has(event.seq)) return;
    seqs.add(event.seq);
    let events = this.recent.get(event.task_id);
    if (!events) {
      events = [];
      this.recent.set(event.task_id, events);
      if (this.recent.size > KEEP_TASKS) {
        const oldest = this.recent.keys().next().value as string;
        this.recent.delete(oldest);
      }
    }
    events.push(event);
    if (events.length > 2000) events.splice(0, events.length - 2000);
    for (const listener of [...this.listeners]) listener(event);
  }
}

export const events = new EventStream();
