import { formatMoney } from '@/components/ui/format';
import type { CompensationPreview } from '@/server/platform/platform.schema';

/**
 * An effect's description as the platform wrote it, with any raw amount in minor units ("move
 * 45577 USD", server/platform/local/compensation.ts) shown as money ("move USD 455.77").
 */
export function effectDescription(description: string, amount: number, currency: string | null): string {
  if (!currency) return description;
  return description.split(`${amount} ${currency}`).join(formatMoney(amount, currency));
}

/**
 * The ledger effect of a compensation or resume: what each compensation moves, on which account,
 * how much. The saga page's preview and the approval card show this same table.
 */
export function LedgerEffect({
  preview,
  currency,
}: {
  preview: Pick<CompensationPreview, 'actions'>;
  /** The saga's currency; null when unknown (an old approval request): amounts then in minor units. */
  currency: string | null;
}) {
  return (
    // Focusable: at 390 px the table scrolls sideways, and a keyboard user must be able to scroll it.
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Ledger effect">
      <table className="text-sm">
        <caption className="text-left font-medium">Ledger effect</caption>
        <thead>
          <tr className="text-left text-fg-muted">
            <th className="pr-3">Compensation</th>
            <th className="pr-3">Effect</th>
            <th className="pr-3">Account</th>
            <th className="text-right">Amount</th>
          </tr>
        </thead>
        <tbody>
          {preview.actions.length === 0 ? (
            <tr>
              <td colSpan={4}>No compensation to run: the saga resumes from its failed step.</td>
            </tr>
          ) : null}
          {preview.actions.map((a) => (
            <tr key={a.compensation}>
              <td className="pr-3">{a.compensation}</td>
              <td className="pr-3">{effectDescription(a.description, a.amount, currency)}</td>
              <td className="pr-3">{a.account ?? '—'}</td>
              <td className="whitespace-nowrap text-right tabular-nums">
                {currency ? formatMoney(a.amount, currency) : `${a.amount} (minor units)`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
