/**
 * The circuit breaker of the AWS platform, as a pure decision over the processor's event
 * source mapping. The breaker's state IS the mapping's state, so the function stays stateless:
 *   closed    = mapping enabled at its full MaximumConcurrency
 *   open      = mapping disabled (messages wait in the queue; no receive is burned)
 *   half-open = mapping enabled at the probe concurrency (a trickle of sagas tests the downstream)
 * Transitions (the downstream-failures alarm is the failure-rate signal, as in
 * infra/runtime/policies/circuit-breaker.ts where the rate over a window opens the breaker):
 *   closed/half-open -> open   when the alarm is in ALARM
 *   open -> half-open          when the alarm is no longer in ALARM and the breaker has been
 *                              open for at least `openSeconds`
 *   half-open -> closed        when the alarm stayed out of ALARM for `halfOpenSeconds` of probing
 */
export type MappingBreakerState = 'closed' | 'open' | 'half-open';
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MappingSnapshot {
  enabled: boolean;
  maxConcurrency: number;
  /** When the mapping was last changed (epoch ms). */
  lastModified: number;
}

export interface BreakerSettings {
  fullConcurrency: number;
  probeConcurrency: number;
  openSeconds: number;
  halfOpenSeconds: number;
  /** False outside the write region: the breaker never enables a mapping there. */
  processingEnabled: boolean;
}

export type BreakerAction =
  | { kind: 'none'; state: MappingBreakerState; reason: string }
  | {
      kind: 'update';
      from: MappingBreakerState;
      to: MappingBreakerState;
      enabled: boolean;
      maxConcurrency: number;
      reason: string;
    };

export function breakerState(m: MappingSnapshot, s: BreakerSettings): MappingBreakerState {
  if (!m.enabled) return 'open';
  return m.maxConcurrency <= s.probeConcurrency && s.probeConcurrency < s.fullConcurrency ? 'half-open' : 'closed';
}

export function decideBreaker(alarm: AlarmState, m: MappingSnapshot, s: BreakerSettings, now: number): BreakerAction {
  if (s.probeConcurrency < 2 || s.fullConcurrency < s.probeConcurrency)
    throw new RangeError('need 2 <= probeConcurrency <= fullConcurrency');
  const state = breakerState(m, s);
  const age = (now - m.lastModified) / 1000;
  if (!s.processingEnabled) return { kind: 'none', state, reason: 'not the write region: mappings stay as deployed' };
  if (alarm === 'ALARM') {
    if (state === 'open') return { kind: 'none', state, reason: 'downstream still failing' };
    return {
      kind: 'update',
      from: state,
      to: 'open',
      enabled: false,
      maxConcurrency: m.maxConcurrency,
      reason: 'downstream-failures alarm is in ALARM',
    };
  }
  if (state === 'open') {
    if (age < s.openSeconds)
      return { kind: 'none', state, reason: `open for ${Math.floor(age)} s of ${s.openSeconds} s` };
    return {
      kind: 'update',
      from: 'open',
      to: 'half-open',
      enabled: true,
      maxConcurrency: s.probeConcurrency,
      reason: `alarm ${alarm} after ${Math.floor(age)} s open: probing at concurrency ${s.probeConcurrency}`,
    };
  }
  if (state === 'half-open') {
    if (age < s.halfOpenSeconds)
      return { kind: 'none', state, reason: `probing for ${Math.floor(age)} s of ${s.halfOpenSeconds} s` };
    return {
      kind: 'update',
      from: 'half-open',
      to: 'closed',
      enabled: true,
      maxConcurrency: s.fullConcurrency,
      reason: `alarm ${alarm} through ${Math.floor(age)} s of probing`,
    };
  }
  return { kind: 'none', state, reason: `alarm ${alarm}` };
}
