/**
 * Parse results of messages this process put on a queue, by message id, so the processor does
 * not parse (JSON + zod) again what the bus validated. Used only when the stored body is the
 * very text that was parsed; otherwise (another process, a redrive, a replay) it parses again.
 * Bounded: dropped wholesale past PARSED_CACHE_MAX entries (a miss only costs a parse).
 * Written by the bus (bus.ts), read by the processor host (processor-host.ts).
 */
import { parseTransactionEvent, type ParseResult, type TransactionEvent } from '@/infra/runtime/transaction';

/** Bound of the processor's cache of parse results from ingest (entries). */
const PARSED_CACHE_MAX = 200_000;

export class ParseCache {
  private readonly parsed = new Map<number, { body: string; result: ParseResult<TransactionEvent> }>();
  /** The message the processor is processing (set by the processor host). */
  currentMessageId = -1;

  /**
   * Parse results of the messages the bus added to its message batch whose ids are not known
   * yet, in insertion order (null: nothing to remember). A multi-row INSERT gives consecutive
   * rowids (each row takes the table's largest rowid + 1, and this transaction is the only
   * writer), so the last id of a write names them all.
   */
  readonly unassigned: ({ body: string; result: ParseResult<TransactionEvent> } | null)[] = [];

  assign(lastId: number | null): void {
    if (lastId === null) return;
    const pending = this.unassigned;
    const first = lastId - pending.length + 1;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (p) this.remember(first + i, p.body, p.result);
    }
    pending.length = 0;
  }

  private remember(id: number, body: string, result: ParseResult<TransactionEvent>): void {
    if (this.parsed.size >= PARSED_CACHE_MAX) this.parsed.clear();
    this.parsed.set(id, { body, result });
  }

  /** The parse result of the current message's body. */
  parsedAt(body: string): ParseResult<TransactionEvent> {
    const hit = this.parsed.get(this.currentMessageId);
    if (hit) {
      this.parsed.delete(this.currentMessageId);
      if (hit.body === body) return hit.result;
    }
    return parseTransactionEvent(body);
  }
}
