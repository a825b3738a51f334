/** Dead letters per page of the dead-letter browser (the browser's query and the page's server read). */
export const DEAD_LETTER_PAGE = 20;

export const queueKeys = {
  all: ['queues'] as const,
  list: () => [...queueKeys.all, 'list'] as const,
  series: (id: string, range: '1h' | '24h') => [...queueKeys.all, 'series', id, range] as const,
  deadLetters: (id: string, filters: { search?: string; cursor?: string }) =>
    [...queueKeys.all, 'dead-letters', id, filters.search ?? null, filters.cursor ?? null] as const,
  failureClasses: (id: string) => [...queueKeys.all, 'failure-classes', id] as const,
  byTransaction: (id: string, transactionId: string) =>
    [...queueKeys.all, 'by-transaction', id, transactionId] as const,
};
