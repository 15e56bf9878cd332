/**
 * A worker's own pull loop on one consumer: pull requests to `$JS.API.CONSUMER.MSG.NEXT` answered
 * on one subscription that stays open for the loop's life. nats.js's `fetch` closes its
 * subscription on a client timer at 1.05 × expires; when a synchronous finish blocked the thread
 * past it, Node ran that timer before it read the socket, and the messages that had come meanwhile
 * (an end marker among them) were dropped, back only after the ack wait (docs/streaming.md, "fetch").
 * Here a blocked thread only delays messages: nothing closes until `stop`. Pulls are timed by the
 * clock, not by the servers' 408, which sometimes never comes (session 17, R): a pull that has
 * outlived its expiry plus a margin is taken for ended whether or not its 408 came, so at most one
 * pull per `expiresMs` is made while the consumer has nothing to give.
 */
import { createInbox, isHeartbeatMsg } from 'nats';
import type { JsMsg, Msg, NatsConnection, Subscription } from 'nats';
import { toJsMsg } from 'nats/lib/jetstream/jsmsg.js';

export interface PullOptions {
  /** Messages a pull asks for (default 256). */
  batch?: number;
  /** How long the servers hold a pull (default 5 s: each pull is a request they answer, so short ones cost them CPU while a worker waits). */
  expiresMs?: number;
  /** A new pull is sent when the open pulls have this many messages or fewer left to give (default a quarter of `batch`). */
  refillAt?: number;
  /** A pull is taken for ended this long after its expiry if no 408 came (default 250 ms). */
  marginMs?: number;
}

/** A pull the servers may still be holding: how many messages it may yet give and when it expires. */
interface OpenPull {
  sentAt: number;
  expiresAt: number;
  left: number;
}

/** The servers' answer that a consumer cannot be pulled from: deleted, or no server answers for it. */
export class PullFailed extends Error {}

/**
 * Statuses the servers send on the pull's reply subject (nats.js's consumer.js reads the same): 100
 * idle heartbeat (not asked for), 404/408 a pull ended (no messages / expired), 409 a pull or the
 * consumer ended (consumer deleted, leadership change, limits), 503 no responders (the consumer is
 * gone, or its node).
 */
const statusCode = (msg: Msg): number => msg.headers?.code ?? 0;
const statusText = (msg: Msg): string => (msg.headers?.description ?? '').toLowerCase();

export class PullLoop {
  readonly #inbox = createInbox();
  readonly #sub: Subscription;
  readonly #batch: number;
  readonly #expiresMs: number;
  readonly #refillAt: number;
  readonly #marginMs: number;
  /** The pull request's body: the same for every pull of the loop. */
  readonly #request: Uint8Array;
  #consumer = '';
  #pulls: OpenPull[] = [];
  #messages: JsMsg[] = [];
  #failure: PullFailed | null = null;
  /** A pull ended with no message taken since it was sent: the consumer had nothing, or is gone. */
  #idle = false;
  #lastMessageAt = 0;
  #wake: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(private readonly nc: NatsConnection, private readonly stream: string, options: PullOptions = {}) {
    this.#batch = options.batch ?? 256;
    this.#expiresMs = options.expiresMs ?? 5_000;
    this.#refillAt = options.refillAt ?? Math.floor(this.#batch / 4);
    this.#marginMs = options.marginMs ?? 250;
    this.#request = new TextEncoder().encode(JSON.stringify({ batch: this.#batch, expires: this.#expiresMs * 1_000_000 }));
    this.#sub = nc.subscribe(this.#inbox, { callback: (error, msg) => this.#received(error, msg) });
  }

  /** Messages not yet given out (tests). */
  get buffered(): number {
    return this.#messages.length;
  }

  /**
   * The next message of `consumer`, or null when a pull ended with none taken since it was sent
   * (as a fetch that ended empty). Throws PullFailed when the servers say the consumer cannot be
   * pulled from. A new name (a replacement consumer) forgets the pulls open on the old one.
   */
  async next(consumer: string): Promise<JsMsg | null> {
    if (consumer !== this.#consumer) {
      this.#consumer = consumer;
      this.#pulls = [];
      this.#messages = [];
      this.#idle = false;
      this.#failure = null;
    }
    for (;;) {
      if (this.#stopped) throw new PullFailed(`consumer ${consumer}: the pull loop was stopped`);
      const message = this.#messages.shift();
      if (message !== undefined) {
        this.#refill();
        return message;
      }
      if (this.#failure !== null) {
        const failure = this.#failure;
        this.#failure = null;
        throw failure;
      }
      if (this.#idle) {
        this.#idle = false;
        return null;
      }
      this.#refill();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Ends the subscription (the pulls still open at the servers expire there); a `next` waiting then, or called later, throws. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      this.#sub.unsubscribe();
    } catch {
      // The connection is closed already.
    }
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Sends a pull when the open ones have `refillAt` messages or fewer left to give. */
  #refill(): void {
    if (this.#stopped || this.#consumer === '') return;
    this.#expire(Date.now());
    let left = 0;
    for (const pull of this.#pulls) left += pull.left;
    if (left > this.#refillAt) return;
    const now = Date.now();
    this.#pulls.push({ sentAt: now, expiresAt: now + this.#expiresMs, left: this.#batch });
    try {
      this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.#consumer}`, this.#request, { reply: this.#inbox });
    } catch (error) {
      // The connection is closed: nothing more will come.
      this.#fail(error instanceof Error ? error.message : String(error));
    }
    this.#arm();
  }

  /** Forgets pulls past their expiry and margin; one that gave nothing since it was sent makes the loop idle. */
  #expire(now: number): void {
    while (this.#pulls.length > 0 && now >= this.#pulls[0]!.expiresAt + this.#marginMs) this.#ended(this.#pulls.shift()!);
  }

  #ended(pull: OpenPull): void {
    if (this.#lastMessageAt < pull.sentAt && this.#pulls.length === 0) this.#idle = true;
  }

  /** A timer at the first open pull's expiry plus the margin (a timer that only looks at the clock: it closes nothing). */
  #arm(): void {
    if (this.#timer !== null || this.#pulls.length === 0 || this.#stopped) return;
    const due = Math.max(0, this.#pulls[0]!.expiresAt + this.#marginMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#expire(Date.now());
      // Messages came meanwhile: the flow goes on without waiting for the reader.
      if (!this.#idle && this.#messages.length > 0) this.#refill();
      this.#arm();
      this.#wakeUp();
    }, due);
  }

  #fail(why: string): void {
    this.#failure = new PullFailed(`consumer ${this.#consumer}: ${why}`);
    this.#pulls = [];
    this.#wakeUp();
  }

  #received(error: Error | null, msg: Msg): void {
    if (error !== null) return this.#fail(error.message);
    if (msg.subject !== this.#inbox) {
      const message = toJsMsg(msg);
      // Still in flight from a consumer left (a lost one, a replay's): the one pulled now gives its own.
      if (message.info.consumer !== this.#consumer) return;
      this.#messages.push(message);
      this.#lastMessageAt = Date.now();
      const first = this.#pulls[0];
      if (first !== undefined && --first.left <= 0) this.#pulls.shift();
      this.#refill();
      return this.#wakeUp();
    }
    if (isHeartbeatMsg(msg)) return;
    const code = statusCode(msg);
    if (code === 404 || code === 408) {
      // A pull's end; it carries no request id. One whose expiry has not come is one the clock has
      // already forgotten (its 408 was late), and the pulls open now are newer.
      const first = this.#pulls[0];
      if (first !== undefined && Date.now() + 50 >= first.expiresAt) this.#ended(this.#pulls.shift()!);
    } else if (code === 409 && statusText(msg) === 'leadership change') {
      // The consumer's new leader holds none of the open pulls: pull again.
      this.#pulls = [];
      this.#refill();
    } else {
      return this.#fail(`${code} ${statusText(msg) || 'no responders'}`);
    }
    this.#wakeUp();
  }
}
