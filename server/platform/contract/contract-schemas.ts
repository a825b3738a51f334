/** Re-exports of the DTO schemas the contract checks every answer against. */
import { ledgerSummarySchema, type LedgerSummary } from '../platform.schema';

export {
  alarmHistoryItemSchema,
  alarmSchema,
  archiveSchema,
  compensationPreviewSchema,
  deadLetterMessageSchema,
  metricSeriesSchema,
  queuePairSchema,
  redriveTaskSchema,
  regionSchema,
  replayPreviewSchema,
  replaySchema,
  sagaDetailSchema,
  sagaSummarySchema,
} from '../platform.schema';

/** Parses a ledger summary and checks its internal consistency. */
export function ledgerLedgerGuard(l: LedgerSummary): void {
  ledgerSummarySchema.parse(l);
  if (l.heldAmount < 0 || l.openHolds < 0) throw new Error('negative holds in the ledger summary');
}
