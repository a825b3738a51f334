'use client';

import { usePathname } from 'next/navigation';
import { RouteError } from '@/components/ui/route-error';

/**
 * One error boundary for every console page (inside the shell's layout, so navigation, the
 * environment banner and the operator stay on screen), naming the page that failed.
 */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const pathname = usePathname();
  return <RouteError error={error} reset={reset} what={pathname} />;
}
