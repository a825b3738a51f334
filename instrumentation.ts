/**
 * Next's start-up hook (runs once in the server process before it serves). In the Node runtime
 * it puts the method guard in front of the HTTP server: methods Next does not route (TRACE,
 * PROPFIND, ...) get a 405 with Allow and a JSON body instead of Next's 500 or bare 400
 * (server/http/method-guard.ts says why no later hook can see them).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { installMethodGuard } = await import('./server/http/method-guard');
    installMethodGuard();
  }
}
