import { formatCount } from '@/components/ui/format';
import type { ReplayPreview } from '@/server/platform/platform.schema';

const n = formatCount;

/**
 * What the replay will do, from the platform's indexes over the whole window (or, where the
 * platform can only sample, exactly what was sampled and that the sample proves nothing more).
 */
export function ReplayPreviewSummary({ preview }: { preview: ReplayPreview }) {
  const c = preview.classification;
  if (!c)
    return (
      <p>
        <strong>{n(preview.count)}</strong> matching events. Sampled only the newest {preview.sample.length}:{' '}
        {preview.sampleAlreadyApplied} of them already applied. The rest of the window is not classified: it may hold
        events that dead-letter again.
      </p>
    );
  return (
    <div>
      <p>
        <strong>{n(preview.count)}</strong> matching events
        {c.sampled ? ` (${c.sampled})` : ', every one classified'}:
      </p>
      <ul className="ml-4 list-disc">
        <li>{n(c.alreadyApplied)} already applied (the processor skips them: idempotent)</li>
        <li>
          {n(c.willApply)} will apply{c.willStartSagas ? `, ${n(c.willStartSagas)} of them starting new sagas` : ''}
        </li>
        <li className={c.willDeadLetterAgain ? 'font-medium text-danger' : undefined}>
          {n(c.willDeadLetterAgain)} will dead-letter again (a permanent failure in the DLQ, or poison to the parser)
        </li>
      </ul>
    </div>
  );
}
