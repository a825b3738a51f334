'use client';

import { useEffect, useMemo, type Ref } from 'react';
import { secondaryButtonClass } from '@/components/ui/action-fields';
import { formatCount } from '@/components/ui/format';
import {
  quarantineCsv,
  quarantineFileName,
  type QuarantineFile,
  type QuarantineResult,
} from '@/server/ops/quarantine.schema';

/** Object URLs of the export's JSON (as stored and hashed) and CSV (built from it, byte for byte the server's). */
function useExportUrls(result: QuarantineResult) {
  const urls = useMemo(() => {
    const file = JSON.parse(result.json) as QuarantineFile;
    return {
      json: URL.createObjectURL(new Blob([result.json], { type: 'application/json' })),
      csv: URL.createObjectURL(new Blob([quarantineCsv(file.items)], { type: 'text/csv' })),
    };
  }, [result.json]);
  useEffect(
    () => () => {
      URL.revokeObjectURL(urls.json);
      URL.revokeObjectURL(urls.csv);
    },
    [urls],
  );
  return urls;
}

/** A finished quarantine: what it exported and removed, the files to download and their sha256 (as audited). */
export function QuarantineDownloads({
  result,
  statusRef,
  onClose,
}: {
  result: QuarantineResult;
  statusRef?: Ref<HTMLParagraphElement>;
  onClose: () => void;
}) {
  const urls = useExportUrls(result);
  return (
    <div className="flex flex-col gap-2 text-sm">
      <p role="status" tabIndex={-1} ref={statusRef}>
        Quarantined: exported {formatCount(result.exported)}, removed {formatCount(result.removed)} from the{' '}
        {result.queueId} DLQ
        {result.notFound.length ? ` (${formatCount(result.notFound.length)} were already gone)` : ''}.
      </p>
      <ul className="flex flex-col gap-1">
        <li>
          <a className="text-accent underline" href={urls.json} download={quarantineFileName(result, 'json')}>
            Download the export (JSON)
          </a>{' '}
          sha256 <code data-testid="quarantine-sha256">{result.sha256.json}</code>
        </li>
        <li>
          <a className="text-accent underline" href={urls.csv} download={quarantineFileName(result, 'csv')}>
            Download the export (CSV)
          </a>{' '}
          sha256 <code>{result.sha256.csv}</code>
        </li>
      </ul>
      <p className="text-fg-muted">The audit log records these hashes with the quarantine.</p>
      <button type="button" className={`${secondaryButtonClass} self-start`} onClick={onClose}>
        Close
      </button>
    </div>
  );
}
