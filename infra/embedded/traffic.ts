/**
 * The traffic side of traffic + faults: the accounts, the generator of transactions at the knob
 * rate (with poison messages, duplicates and insufficient funds as configured), and the knobs
 * themselves (the settings row the console writes).
 */
import { randomUUID } from 'node:crypto';
import { transactionEnvelope, type Transaction } from '@/infra/runtime/transaction';
import type { BusArchive } from './bus';
import type { EngineContext } from './engine-context';
import { defaultTrafficKnobs, trafficKnobsSchema, type TrafficKnobs } from './traffic.schema';

/** Deterministic-enough PRNG (mulberry32) so traffic is reproducible per seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Traffic {
  /** The generator's PRNG (seeded from the start time). */
  readonly random = prng(Date.now() & 0xffffffff);
  private regularAccounts: string[] = [];
  private lowAccounts: string[] = [];
  private recentTx: Transaction[] = [];
  private genCarry = 0;
  private lastGenAt = 0;
  private settingsVersion = -1;
  private readonly getSetting;
  private readonly putSetting;
  private readonly insertAccount;
  private readonly accountIds;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bus: BusArchive,
  ) {
    const { db } = ctx;
    this.getSetting = db.prepare<[string], { value: string; updated_at: number }>(
      'SELECT value, updated_at FROM settings WHERE key = ?',
    );
    this.putSetting = db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.insertAccount = db.prepare(
      'INSERT OR IGNORE INTO accounts (id, currency, balance, held, open_holds, opening_balance, created_at) VALUES (?, ?, ?, 0, 0, ?, ?)',
    );
    this.accountIds = db.prepare<[], { id: string; balance: number }>(
      'SELECT id, opening_balance AS balance FROM accounts ORDER BY id',
    );
  }

  /** How many regular accounts the generator draws from. */
  get accountCount(): number {
    return this.regularAccounts.length;
  }

  /** Applies the knobs given at start over the stored ones. */
  applyStartKnobs(patch: Partial<TrafficKnobs>): void {
    this.ctx.knobs = trafficKnobsSchema.parse({ ...this.ctx.knobs, ...patch });
    this.putSetting.run('traffic', JSON.stringify(this.ctx.knobs), this.ctx.now());
  }

  /** The rate's clock starts again at the next generate(). */
  restartRate(): void {
    this.lastGenAt = 0;
  }

  /** Re-reads the knobs when the console changed them (settings row). */
  readSettings(force = false): void {
    const row = this.getSetting.get('traffic');
    if (!row) {
      if (force) this.putSetting.run('traffic', JSON.stringify(this.ctx.knobs), this.ctx.now());
      return;
    }
    if (!force && row.updated_at === this.settingsVersion) return;
    this.settingsVersion = row.updated_at;
    const parsed = trafficKnobsSchema.safeParse({ ...defaultTrafficKnobs, ...(JSON.parse(row.value) as object) });
    if (parsed.success) this.ctx.knobs = parsed.data;
    else this.ctx.log(`ignoring invalid traffic settings: ${parsed.error.message}`);
  }

  setKnobs(patch: Partial<TrafficKnobs>): void {
    if (patch.rate !== undefined && patch.rate !== this.ctx.knobs.rate) {
      this.genCarry = 0;
      this.lastGenAt = 0;
    }
    this.ctx.knobs = trafficKnobsSchema.parse({ ...this.ctx.knobs, ...patch });
    this.putSetting.run('traffic', JSON.stringify(this.ctx.knobs), this.ctx.now());
    this.settingsVersion = -1;
  }

  createAccounts(): void {
    const now = this.ctx.now();
    let total = 0;
    for (let i = 1; i <= this.ctx.opts.accounts; i++) {
      const opening = 1_000_000_000; // 10,000,000.00
      this.insertAccount.run(`acct-${String(i).padStart(4, '0')}`, 'USD', opening, opening, now);
      total += opening;
    }
    for (let i = 1; i <= 10; i++) {
      this.insertAccount.run(`acct-low-${String(i).padStart(2, '0')}`, 'USD', 10_000, 10_000, now); // 100.00
      total += 10_000;
    }
    this.ctx.putMeta.run('expected_total', String(total));
  }

  loadAccounts(): void {
    const ids = this.accountIds.all().map((r) => r.id);
    this.regularAccounts = ids.filter((id) => !id.startsWith('acct-low-'));
    this.lowAccounts = ids.filter((id) => id.startsWith('acct-low-'));
  }

  /** Builds `n` events according to the knobs. */
  makeTraffic(n: number): unknown[] {
    const out: unknown[] = [];
    const now = this.ctx.now();
    const time = new Date(now).toISOString();
    for (let i = 0; i < n; i++) {
      const r = this.random();
      if (
        this.ctx.knobs.duplicateRatio > 0 &&
        this.recentTx.length > 0 &&
        this.random() < this.ctx.knobs.duplicateRatio
      ) {
        const tx = this.recentTx[Math.floor(this.random() * this.recentTx.length)]!;
        out.push(transactionEnvelope(randomUUID(), tx, time));
        continue;
      }
      const id = `tx-${now.toString(36)}-${randomUUID().slice(0, 13)}`;
      if (r < this.ctx.knobs.poisonRatio) {
        // Valid envelope, body the processor can never apply: a poison message.
        out.push({
          version: '0',
          id: randomUUID(),
          source: 'transaction.processing',
          'detail-type': 'TransactionSubmitted',
          time,
          detail: { transactionId: id, fromAccount: this.pick(this.regularAccounts), amount: '12.50', currency: 'usd' },
        });
        continue;
      }
      const insufficient = this.random() < this.ctx.knobs.insufficientFundsRatio && this.lowAccounts.length > 0;
      const from = insufficient ? this.pick(this.lowAccounts) : this.pick(this.regularAccounts);
      let to = this.pick(this.regularAccounts);
      if (to === from) to = this.regularAccounts[(this.regularAccounts.indexOf(to) + 1) % this.regularAccounts.length]!;
      const amount = insufficient ? 5_000_000 : 100 + Math.floor(this.random() * 50_000);
      const tx: Transaction = {
        transactionId: id,
        fromAccount: from,
        toAccount: to,
        amount,
        currency: 'USD',
        createdAt: time,
      };
      out.push(
        transactionEnvelope(
          randomUUID(),
          tx,
          time,
          this.random() < 0.1 ? 'payment.validation' : 'transaction.processing',
        ),
      );
      this.recentTx.push(tx);
      if (this.recentTx.length > 200) this.recentTx.shift();
    }
    return out;
  }

  private pick(list: readonly string[]): string {
    return list[Math.floor(this.random() * list.length)]!;
  }

  /** Generates traffic for the time elapsed since the last call at the knob rate. */
  async generate(maxBatch = 5000): Promise<number> {
    const now = this.ctx.now();
    if (this.lastGenAt === 0) this.lastGenAt = now;
    const elapsed = Math.min(2000, now - this.lastGenAt);
    this.lastGenAt = now;
    this.genCarry += (this.ctx.knobs.rate * elapsed) / 1000;
    const n = Math.min(maxBatch, Math.floor(this.genCarry));
    if (n <= 0) return 0;
    // An overloaded engine sheds the excess offered load instead of building an unbounded debt.
    this.genCarry = Math.min(this.genCarry - n, maxBatch);
    const events = this.makeTraffic(n);
    await this.ctx.tx(() => this.bus.putEvents(events));
    return n;
  }
}
