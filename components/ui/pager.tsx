'use client';

/** Cursor paging: the cursor lives in the URL, so a page is a deep link too. */
export function Pager({
  cursor,
  nextCursor,
  onPage,
  label,
}: {
  cursor?: string;
  nextCursor: string | null;
  onPage: (cursor: string | null) => void;
  label: string;
}) {
  return (
    <nav aria-label={`${label} pages`} className="mt-3 flex items-center justify-end gap-2 text-sm">
      <button
        type="button"
        disabled={!cursor}
        onClick={() => onPage(null)}
        className="rounded border border-border px-2 py-1 disabled:opacity-50"
      >
        First page
      </button>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => nextCursor && onPage(nextCursor)}
        className="rounded border border-border px-2 py-1 disabled:opacity-50"
      >
        Next page
      </button>
    </nav>
  );
}
