'use client';

import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

interface Live {
  paused: boolean;
  setPaused: (paused: boolean) => void;
}

const LiveContext = createContext<Live>({ paused: false, setPaused: () => undefined });

/** Whether the console polls (one switch for every live view). */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [paused, setPaused] = useState(false);
  const value = useMemo(() => ({ paused, setPaused }), [paused]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Whether queries should poll now (false while the operator paused live updates). */
export function useLiveEnabled(): boolean {
  return !useContext(LiveContext).paused;
}
