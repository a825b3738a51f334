/**
 * The incident view's aggregates (types only: the incident page's client components import them).
 */
import type { Incident, IncidentEvent } from './read.schema';

/** Failed, compensating or compensated sagas of the window that failed at one step the same way. */
export interface IncidentGroup {
  step: string;
  /** The failure class (infra/runtime/failure-class.ts) of the sagas' error. */
  classId: string;
  errorType: string;
  /** The error with ids, amounts and times replaced by placeholders. */
  message: string;
  count: number;
  byStatus: Partial<Record<'FAILED' | 'COMPENSATING' | 'COMPENSATED', number>>;
  firstAt: string;
  lastAt: string;
  /** A saga of the group (the newest). */
  sampleSagaId: string;
}

/**
 * Per status, how many sagas of the window the platform's listSagas answers (the same query, the
 * same [from, to) start-time window as the sagas list): exact unless `capped`.
 */
export interface IncidentCounts {
  FAILED: number;
  COMPENSATING: number;
  COMPENSATED: number;
  total: number;
  /** True when a status had more than INCIDENT_COUNT_CAP sagas: the counts are lower bounds. */
  capped: boolean;
  cap: number;
}

/** An operator's (or the closed loop's) action from the audit log, on the incident's timeline. */
export type IncidentTimelineEvent = Omit<IncidentEvent, 'kind'> & { kind: IncidentEvent['kind'] | 'operator' };

export type IncidentDetail = Omit<Incident, 'timeline'> & {
  /** Where the window starts: the alarm's episode start (the first breaching minute). */
  anchor: 'episode' | 'state-change';
  counts: IncidentCounts;
  groups: IncidentGroup[];
  /** Newest first. */
  timeline: IncidentTimelineEvent[];
};
