/**
 * Storage format of a saga's timeline (the `sagas.steps` column).
 *
 * Compact form: a JSON array with one array per step or compensation, in execution order:
 *   [name, code, attempts, start, end, output, error]
 * - code: kind letter + state letter: `s`tep / `c`ompensation, then P(ENDING), R(UNNING),
 *   S(UCCEEDED), F(AILED), K (SKIPPED), e.g. "sS" = a step that succeeded.
 * - start / end: ms since the saga's started_at (integers; null when not reached).
 * - output: the step's output as a JSON object (not JSON text inside JSON); null when none; a
 *   JSON string holding the text when the text is not an object or array; or the number 1, meaning "the output this step gives for this saga's input on an uneventful
 *   run" (derivedOutput below). The marker is written only for a record whose output text is
 *   exactly that (outputDerived), so reading gives back the very text that was recorded.
 * - attempts log (8th, optional): every attempt, oldest first, as [start, end, error?] (times
 *   relative as above), across automatic retries and operator compensate/resume runs. Written
 *   only when it says more than the record: more than one attempt or a failed one.
 * - trailing nulls are left out: a pending step is ["Notify","sP",0].
 * The saga input is stored once (sagas.input); every step and compensation receives it, so the
 * read side derives each step's input from it. A successful saga's timeline takes ~150 bytes
 * (the earlier form took ~1 KB).
 *
 * The earlier form (an array of StepRecord objects, absolute times, output as JSON text) is
 * still read, so sagas written before this format keep their timelines.
 */
import type { StepOutput } from '@/infra/runtime/ports';
import type { Transaction } from '@/infra/runtime/transaction';
import type { StepRecord } from './names';

type State = StepRecord['state'];

/** One attempt of a step or compensation (epoch ms); `error` set when it failed. */
export interface AttemptRecord {
  startedAt: number | null;
  endedAt: number | null;
  error: string | null;
}

/** A timeline record with its attempts (absent on records stored in the earlier object form). */
export type TimelineRecord = StepRecord & { attemptLog?: AttemptRecord[] };

/**
 * The attempts of `r`: its log, else what the record itself says (one attempt; for an older
 * record with several, the earlier ones failed with an error that was not kept).
 */
export function attemptLogOf(r: TimelineRecord): AttemptRecord[] {
  if (r.attemptLog) return r.attemptLog;
  return Array.from({ length: r.attempts }, (_, i) =>
    i === r.attempts - 1
      ? {
          startedAt: r.attempts === 1 ? r.startedAt : null,
          endedAt: r.endedAt,
          error: r.state === 'FAILED' || r.state === 'RUNNING' ? r.error : null,
        }
      : { startedAt: i === 0 ? r.startedAt : null, endedAt: null, error: 'failed (error not recorded)' },
  );
}

/** True when the log says more than the record: stored only then. */
const logWorthStoring = (log: AttemptRecord[] | undefined): log is AttemptRecord[] =>
  log !== undefined && (log.length > 1 || log.some((a) => a.error !== null));

const relative = (t: number | null, base: number) => (t === null ? null : t - base);

const STATE_CODE: Record<State, string> = {
  PENDING: 'P',
  RUNNING: 'R',
  SUCCEEDED: 'S',
  FAILED: 'F',
  SKIPPED: 'K',
};
const CODE_STATE: Record<string, State> = { P: 'PENDING', R: 'RUNNING', S: 'SUCCEEDED', F: 'FAILED', K: 'SKIPPED' };

/** Marker of a derived output in the compact form. */
const DERIVED = 1;

const settlementReference = (input: Transaction) => `stl-${input.transactionId}`;

/**
 * The output text a step or compensation records on an uneventful run for `input` (what
 * infra/runtime/saga-steps returns with the embedded ledger and downstream). Written out here on
 * purpose, not taken from the steps: a stored marker must decode to the same text forever.
 * Null for names without a derived output.
 */
export function derivedOutput(name: string, input: Transaction): string | null {
  switch (name) {
    case 'ValidatePayment':
      return '{"validated":true}';
    case 'ReserveFunds':
      return `{"account":${JSON.stringify(input.fromAccount)},"held":${input.amount},"alreadyDone":false}`;
    case 'PostLedger':
      return `{"debit":${JSON.stringify(input.fromAccount)},"credit":${JSON.stringify(input.toAccount)},"amount":${input.amount},"alreadyDone":false}`;
    case 'SettlePayment':
      return `{"reference":${JSON.stringify(settlementReference(input))},"alreadyDone":false}`;
    case 'Notify':
      return '{"notified":true}';
    case 'ReleaseFunds':
      return `{"released":${input.amount},"state":"RELEASED"}`;
    case 'ReverseLedger':
      return `{"debit":${JSON.stringify(input.toAccount)},"credit":${JSON.stringify(input.fromAccount)},"amount":${input.amount},"alreadyDone":false}`;
    case 'VoidSettlement':
      return `{"voided":true,"reference":${JSON.stringify(settlementReference(input))}}`;
    default:
      return null;
  }
}

/** True when `out` has exactly these keys, in this order, with these values (so its JSON text is the expected one). */
function hasExactly(out: StepOutput, ...expected: (string | number | boolean)[]): boolean {
  let i = 0;
  for (const k in out) {
    if (i >= expected.length || k !== expected[i] || out[k] !== expected[i + 1]) return false;
    i += 2;
  }
  return i === expected.length;
}

/**
 * derivedOutput(name, input) when the step's actual output `out` serializes to exactly that text;
 * otherwise null (the output is then stored as it is). Checks the fields, not the text: cheaper
 * than serializing `out` on the engine's hot path.
 */
export function derivedOutputOf(name: string, input: Transaction, out: StepOutput): string | null {
  const { fromAccount: from, toAccount: to, amount } = input;
  let same: boolean;
  switch (name) {
    case 'ValidatePayment':
      same = hasExactly(out, 'validated', true);
      break;
    case 'ReserveFunds':
      same = hasExactly(out, 'account', from, 'held', amount, 'alreadyDone', false);
      break;
    case 'PostLedger':
      same = hasExactly(out, 'debit', from, 'credit', to, 'amount', amount, 'alreadyDone', false);
      break;
    case 'SettlePayment':
      same = hasExactly(out, 'reference', settlementReference(input), 'alreadyDone', false);
      break;
    case 'Notify':
      same = hasExactly(out, 'notified', true);
      break;
    case 'ReleaseFunds':
      same = hasExactly(out, 'released', amount, 'state', 'RELEASED');
      break;
    case 'ReverseLedger':
      same = hasExactly(out, 'debit', to, 'credit', from, 'amount', amount, 'alreadyDone', false);
      break;
    case 'VoidSettlement':
      same = hasExactly(out, 'voided', true, 'reference', settlementReference(input));
      break;
    default:
      same = false;
  }
  return same ? derivedOutput(name, input) : null;
}

/** Encodes a timeline; `startedAt` is the saga's start (epoch ms), the base of the stored times. */
export function encodeTimeline(steps: readonly TimelineRecord[], startedAt: number): string {
  const parts: string[] = new Array<string>(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const r = steps[i]!;
    // Trailing nulls are left out: cut after the last field that has a value.
    const output =
      r.output === null
        ? null
        : r.outputDerived === true
          ? String(DERIVED)
          : r.output.startsWith('{') || r.output.startsWith('[')
            ? r.output // JSON text of an object (JSON.stringify of the step's output): embedded as it is
            : JSON.stringify(r.output);
    const log = logWorthStoring(r.attemptLog) ? r.attemptLog : null;
    const last =
      log !== null
        ? 5
        : r.error !== null
          ? 4
          : output !== null
            ? 3
            : r.endedAt !== null
              ? 2
              : r.startedAt !== null
                ? 1
                : 0;
    let e = `[${JSON.stringify(r.name)},"${r.kind === 'step' ? 's' : 'c'}${STATE_CODE[r.state]}",${r.attempts}`;
    if (last >= 1) e += r.startedAt === null ? ',null' : `,${r.startedAt - startedAt}`;
    if (last >= 2) e += r.endedAt === null ? ',null' : `,${r.endedAt - startedAt}`;
    if (last >= 3) e += output === null ? ',null' : `,${output}`;
    if (last >= 4) e += `,${JSON.stringify(r.error)}`;
    if (log !== null) {
      const attempts = log.map((a) => {
        const t = [relative(a.startedAt, startedAt), relative(a.endedAt, startedAt)];
        return JSON.stringify(a.error === null ? t : [...t, a.error]);
      });
      e += `,[${attempts.join(',')}]`;
    }
    parts[i] = `${e}]`;
  }
  return `[${parts.join(',')}]`;
}

function fail(detail: string): never {
  throw new Error(`saga timeline is corrupt: ${detail}`);
}

function decodeCompact(e: unknown[], startedAt: number, input: Transaction): TimelineRecord {
  const [name, code, attempts, start, end, output, error, log] = e;
  if (typeof name !== 'string') fail('step name is not a string');
  if (typeof code !== 'string' || code.length !== 2) fail(`step ${name} has no state code`);
  const kind = code[0] === 's' ? 'step' : code[0] === 'c' ? 'compensation' : fail(`step ${name}: kind ${code[0]}`);
  const state = CODE_STATE[code[1]!] ?? fail(`step ${name}: state ${code[1]}`);
  const time = (v: unknown) =>
    v === undefined || v === null
      ? null
      : typeof v === 'number'
        ? startedAt + v
        : fail(`step ${name}: time ${JSON.stringify(v)}`);
  const derived = output === DERIVED;
  const outputText = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : typeof v === 'object'
        ? JSON.stringify(v)
        : fail(`step ${name}: output ${JSON.stringify(v)}`);
  const rec: TimelineRecord = {
    name,
    kind,
    state,
    attempts: typeof attempts === 'number' ? attempts : fail(`step ${name}: attempts`),
    startedAt: time(start),
    endedAt: time(end),
    output:
      output === undefined || output === null
        ? null
        : derived
          ? (derivedOutput(name, input) ?? fail(`step ${name}: no derived output`))
          : outputText(output),
    ...(derived ? { outputDerived: true } : {}),
    error:
      error === undefined || error === null ? null : typeof error === 'string' ? error : fail(`step ${name}: error`),
  };
  if (log !== undefined) rec.attemptLog = decodeLog(name, log, time);
  return rec;
}

function decodeLog(name: string, log: unknown, time: (v: unknown) => number | null): AttemptRecord[] {
  if (!Array.isArray(log)) fail(`step ${name}: attempts log`);
  return log.map((a: unknown) => {
    if (!Array.isArray(a)) fail(`step ${name}: attempt ${JSON.stringify(a)}`);
    const [start, end, error] = a as unknown[];
    const err =
      error === undefined || error === null
        ? null
        : typeof error === 'string'
          ? error
          : fail(`step ${name}: attempt error`);
    return { startedAt: time(start), endedAt: time(end), error: err };
  });
}

/**
 * True for the compact form: its records without a stored log had one attempt and no error (or
 * predate the log), so attemptLogOf tells their attempts. The earlier object form kept none.
 */
export const isCompactTimeline = (text: string): boolean => !/^\s*\[\s*\{/.test(text);

/** Decodes a stored timeline (compact or earlier form) of a saga with `input` (the parsed sagas.input). */
export function decodeTimeline(text: string, startedAt: number, input: Transaction): TimelineRecord[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) fail('not an array');
  return parsed.map((e: unknown) => (Array.isArray(e) ? decodeCompact(e, startedAt, input) : (e as StepRecord)));
}

/** A timeline record for a step or compensation that has not run yet. */
export function pendingRecord(name: string, kind: StepRecord['kind']): StepRecord {
  return { name, kind, state: 'PENDING', attempts: 0, startedAt: null, endedAt: null, output: null, error: null };
}
