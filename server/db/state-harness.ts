import 'server-only';
import type { ConsoleState } from './state-port';

/** Two console-state instances over one store (two console tasks), for the state contract suite. */
export interface StateHarness {
  a: ConsoleState;
  b: ConsoleState;
  /** Changes one stored audit entry (its reason) behind the stores' back, as someone with table access could. */
  tamperAuditEntry(): Promise<void>;
  close(): Promise<void>;
}

export type OpenState = () => Promise<StateHarness>;
