/** The local sign-in form: a plain HTML form (works without JavaScript), posted to the API. */
export function SignInForm({ next, error }: { next: string; error: string | null }) {
  return (
    <form method="post" action="/api/auth/sign-in" className="mt-6 flex flex-col gap-4">
      <input type="hidden" name="next" value={next} />
      {error ? (
        <p role="alert" className="rounded border border-danger/60 bg-danger/10 px-3 py-2 text-sm text-fg">
          {error}
        </p>
      ) : null}
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium">Email</span>
        <input
          name="email"
          type="email"
          required
          autoComplete="username"
          className="rounded border border-border bg-surface px-3 py-2 text-fg focus:outline-2 focus:outline-accent"
        />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium">Password</span>
        <input
          name="password"
          type="password"
          required
          autoComplete="current-password"
          className="rounded border border-border bg-surface px-3 py-2 text-fg focus:outline-2 focus:outline-accent"
        />
      </label>
      <button type="submit" className="rounded bg-accent px-3 py-2 text-sm font-semibold text-surface hover:opacity-90">
        Sign in
      </button>
    </form>
  );
}
