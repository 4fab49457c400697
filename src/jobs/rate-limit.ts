/**
 * Token buckets for "how many runs may this installation / user start per hour" (issue 5). A
 * request takes one token from every bucket that applies, or none: a user who is out of tokens does
 * not drain the installation's bucket. The answer carries `retryAfterMs` so the app can say politely
 * when to try again. Stores: in-memory (one process only — counts reset on restart), SQLite (shared
 * by the processes on one machine) and Redis (shared by every machine); see rate-limit-stores.ts.
 */
export interface BucketSpec {
  key: string;
  capacity: number;
  /** The bucket refills `capacity` tokens over this period (kept as integers to avoid drift). */
  periodMs: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface RateDecision {
  allowed: boolean;
  retryAfterMs: number;
  /** Which bucket said no, when one did. */
  limitedBy?: 'installation' | 'user';
}

export interface BucketStore {
  /** Atomically take one token from every bucket, or from none; returns the wait when refused. */
  take(
    buckets: BucketSpec[],
    now: number,
  ): Promise<{ allowed: boolean; retryAfterMs: number; emptyKey?: string }>;
  close(): Promise<void>;
}

/** The shared arithmetic: the new states if every bucket has a token, else how long to wait. */
export function takeTokens(
  buckets: BucketSpec[],
  states: (BucketState | undefined)[],
  now: number,
): { next: BucketState[] } | { retryAfterMs: number; emptyKey: string } {
  const levels = buckets.map((b, i) => {
    const s = states[i];
    if (!s) return b.capacity;
    return Math.min(b.capacity, s.tokens + (Math.max(0, now - s.updatedAt) * b.capacity) / b.periodMs);
  });
  let wait = 0;
  let emptyKey = '';
  buckets.forEach((b, i) => {
    const level = levels[i] ?? 0;
    if (level >= 1) return;
    const w = Math.ceil(((1 - level) * b.periodMs) / b.capacity - 1e-9);
    if (w > wait) [wait, emptyKey] = [w, b.key];
  });
  if (wait > 0) return { retryAfterMs: wait, emptyKey };
  return { next: levels.map((l) => ({ tokens: l - 1, updatedAt: now })) };
}

export function createMemoryBucketStore(): BucketStore {
  const states = new Map<string, BucketState>();
  return {
    async take(buckets, now) {
      const out = takeTokens(
        buckets,
        buckets.map((b) => states.get(b.key)),
        now,
      );
      if ('retryAfterMs' in out) return { allowed: false, ...out };
      for (const [i, b] of buckets.entries()) states.set(b.key, out.next[i] as BucketState);
      return { allowed: true, retryAfterMs: 0 };
    },
    async close() {},
  };
}

export interface RateLimiterOptions {
  perInstallationPerHour: number;
  perUserPerHour: number;
  /** Replies to refused triggers per sender and repository per hour (default 1); silence after. */
  refusalRepliesPerHour?: number;
  store?: BucketStore;
  now?: () => number;
}

export interface RateLimiter {
  take(subject: { installationId?: number; user?: string }): Promise<RateDecision>;
  /**
   * May the app reply to a refused trigger from `user` in `repo` now? On a public repository anyone
   * can comment, so without this anyone could make the app comment as often as they like (issue 14).
   * Kept in the same store as the run buckets, so the silence holds across restarts and processes.
   */
  takeReply(subject: { repo: string; user: string }): Promise<boolean>;
}

const HOUR_MS = 3_600_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const store = options.store ?? createMemoryBucketStore();
  const now = options.now ?? Date.now;
  const spec = (key: string, perHour: number): BucketSpec => ({
    key,
    capacity: perHour,
    periodMs: HOUR_MS,
  });
  return {
    async take({ installationId, user }) {
      const buckets: BucketSpec[] = [];
      if (installationId !== undefined)
        buckets.push(spec(`installation:${installationId}`, options.perInstallationPerHour));
      if (user !== undefined) buckets.push(spec(`user:${user.toLowerCase()}`, options.perUserPerHour));
      if (buckets.length === 0) return { allowed: true, retryAfterMs: 0 };
      const r = await store.take(buckets, now());
      if (r.allowed) return { allowed: true, retryAfterMs: 0 };
      const limitedBy = r.emptyKey?.startsWith('user:') ? 'user' : 'installation';
      return { allowed: false, retryAfterMs: r.retryAfterMs, limitedBy };
    },
    async takeReply({ repo, user }) {
      const key = `reply:${repo.toLowerCase()}:${user.toLowerCase()}`;
      const r = await store.take([spec(key, options.refusalRepliesPerHour ?? 1)], now());
      return r.allowed;
    },
  };
}
