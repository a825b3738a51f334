'use client';

import { lazy, Suspense, useSyncExternalStore, type ComponentType, type ReactNode } from 'react';
import { can, type Permission, type Role } from '@/infra/platform/roles';

const noSubscription = () => () => {};

/** False while rendering on the server and hydrating, true once the browser has taken over. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** React.lazy of a component loader (`load` resolves to the component, not a module). */
function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return lazy(async () => ({ default: await load() }));
}

/**
 * A component whose code is split into its own chunk and rendered in the browser only (the
 * `ssr: false` of next/dynamic, on React.lazy and Suspense, which the page already ships): nothing
 * shows until the browser has hydrated and the chunk has loaded.
 */
export function clientOnly<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazyComponent(load);
  function ClientOnly(props: P) {
    const hydrated = useHydrated();
    if (!hydrated) return null;
    return (
      <Suspense fallback={null}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  return ClientOnly;
}

/**
 * A data-rendering leaf in its own chunk, rendered on the server too: a page that arrives with its
 * data (ServerData) shows the leaf in its HTML, not a skeleton until the browser has loaded the
 * chunk and rendered it. The chunk's download starts when the importing module evaluates in the
 * browser; until it has arrived React keeps the server's HTML and hydrates the leaf after the rest
 * of the page (a Suspense boundary hydrates in its own, interruptible pass). In the browser
 * without the chunk (an in-console navigation), `fallback` shows until it loads. Keeps first-load
 * JS to what the page's shell and data fetch need.
 */
export function lazyLeaf<P extends object>(
  load: () => Promise<ComponentType<P>>,
  { fallback = <div className="h-16 animate-pulse rounded bg-border/40" /> }: { fallback?: ReactNode } = {},
): ComponentType<P> {
  if (typeof window !== 'undefined') void load();
  const Lazy = lazyComponent(load);
  function LazyLeaf(props: P) {
    return (
      <Suspense fallback={fallback}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  return LazyLeaf;
}

/**
 * An action form, loaded after the page's first paint (it is not needed to show the data, and
 * keeping it out of first-load JS keeps each route under its budget). The permission check runs
 * first, so a role that may not act never downloads the form's code.
 */
export function permittedAction<P extends { role: Role }>(
  permission: Permission,
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  const Action = clientOnly(load);
  function PermittedAction(props: P) {
    return can(props.role, permission) ? <Action {...props} /> : null;
  }
  return PermittedAction;
}
