'use client';

import { useState, type ReactNode } from 'react';
import { useUrlState } from '@/components/live/use-url-state';
import { EmptyState } from '@/components/ui/empty-state';
import { formatCount } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { Pager } from '@/components/ui/pager';
import { Skeleton } from '@/components/ui/skeleton';
import type { DeadLetterMessage, ScanProgress } from '@/server/platform/platform.schema';
import { useDeadLettersQuery } from './data/dead-letters-query';
import { DeadLetterCard } from './dead-letter-card';
import { TransactionIndexMatches } from './transaction-index-matches';

export interface DeadLetterBrowserProps {
  queueId: string;
  search?: string;
  cursor?: string;
  /** Slot for the write side: per-message controls (e.g. select for a redrive). */
  messageActions?: (message: DeadLetterMessage) => ReactNode;
}

/** A queue's dead letters, newest first, searchable by transaction id or error text, paged. */
export function DeadLetterBrowser({ queueId, search, cursor, messageActions }: DeadLetterBrowserProps) {
  const { set } = useUrlState();
  const [text, setText] = useState(search ?? '');
  const query = useDeadLettersQuery(queueId, { search, cursor });
  return (
    <div>
      {/* A plain GET form too: submitted before the page has hydrated, it loads the page with ?search=. */}
      <form
        role="search"
        aria-label="Dead letters"
        method="get"
        className="mb-3 flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          set({ search: text.trim() || null, cursor: null });
        }}
      >
        <label htmlFor="dlq-search" className="text-sm">
          Search by transaction id or error text
        </label>
        <input
          id="dlq-search"
          name="search"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="min-w-64 flex-1 rounded border border-border bg-surface-raised px-2 py-1 text-sm"
        />
        <button type="submit" className="rounded border border-border px-3 py-1 text-sm">
          Search
        </button>
      </form>
      {search ? <TransactionIndexMatches queueId={queueId} search={search} /> : null}
      {query.isError ? (
        <InlineError error={query.error} what="dead letters" onRetry={() => void query.refetch()} />
      ) : null}
      {query.isPending ? (
        <Skeleton rows={5} label="Loading dead letters" />
      ) : query.data ? (
        query.data.items.length === 0 && search && query.data.nextCursor ? (
          // The search spent this request's receive budget: unsearched messages remain (SQS cannot be queried).
          <EmptyState title={`No match for “${search}” yet`}>
            <p role="status">
              {query.data.scanned ? `${searchedText(query.data.scanned, false)} ` : ''}The rest have not been searched
              yet.
            </p>
            <button
              type="button"
              onClick={() => query.data.nextCursor && set({ cursor: query.data.nextCursor })}
              className="mt-2 rounded border border-border px-3 py-1 text-sm"
            >
              Continue searching
            </button>
          </EmptyState>
        ) : query.data.items.length === 0 ? (
          <EmptyState
            title={
              search
                ? query.data.scanned?.limitReached
                  ? `No match for “${search}” among the dead letters the console can search`
                  : `No dead letter matches “${search}”`
                : 'The dead-letter queue is empty'
            }
          >
            {search
              ? `${query.data.scanned ? `${searchedText(query.data.scanned, true)} ` : ''}Search matches a transaction id exactly, or any part of the last error.`
              : 'Messages land here after failing processing 3 times.'}
          </EmptyState>
        ) : (
          <>
            <ul aria-label="Dead letters" className={`space-y-2 ${query.isPlaceholderData ? 'opacity-60' : ''}`}>
              {query.data.items.map((m) => (
                <li key={m.id}>
                  <DeadLetterCard message={m} actions={messageActions?.(m)} />
                </li>
              ))}
            </ul>
            {query.data.scanned && (search || query.data.scanned.limitReached) ? (
              <p role="status" className="mt-2 text-sm text-fg-muted">
                {query.data.nextCursor
                  ? `${searchedText(query.data.scanned, false)} The next page continues the search.`
                  : searchedText(query.data.scanned, true)}
              </p>
            ) : null}
            <Pager
              label="Dead letter"
              cursor={cursor}
              nextCursor={query.data.nextCursor}
              onPage={(c) => set({ cursor: c })}
            />
          </>
        )
      ) : null}
    </div>
  );
}

/**
 * "Searched 140 of about 500 dead letters so far." An SQS search examines a bounded number of
 * messages per request; `done`: the search has seen all it could find (no cursor to continue).
 */
function searchedText(scanned: ScanProgress, done: boolean): string {
  const of = scanned.approximateTotal === null ? '' : ` of about ${formatCount(scanned.approximateTotal)}`;
  if (scanned.limitReached)
    return `Searched the first ${formatCount(scanned.searched)}${of} dead letters: the console cannot search further (SQS hands out the oldest messages first and cannot be queried). Redrive the DLQ, or look the transaction up on the sagas page.`;
  return `Searched ${formatCount(scanned.searched)}${of} dead letters${done ? '' : ' so far'}.`;
}
