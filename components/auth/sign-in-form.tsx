/** A seeded user offered as a one-click sign-in (local backend only: the page passes none otherwise). */
export interface SeededUserOption {
  email: string;
  name: string;
  role: string;
  password: string;
}

/**
 * The local sign-in form: a plain HTML form (works without JavaScript), posted to the API; with
 * the local backend, the seeded users first, one click each.
 */
export function SignInForm({
  next,
  error,
  seeded = [],
}: {
  next: string;
  error: string | null;
  seeded?: readonly SeededUserOption[];
}) {
  return (
    <>
      {seeded.length ? <SeededUsers next={next} seeded={seeded} /> : null}
      <PasswordForm next={next} error={error} />
    </>
  );
}

function SeededUsers({ next, seeded }: { next: string; seeded: readonly SeededUserOption[] }) {
  return (
    <section aria-label="Seeded users" className="mt-6">
      <h2 className="text-sm font-medium">Local development: sign in as a seeded user</h2>
      <ul className="mt-2 flex flex-col gap-2">
        {seeded.map((u) => (
          <li key={u.email}>
            <form method="post" action="/api/auth/sign-in">
              <input type="hidden" name="next" value={next} />
              <input type="hidden" name="email" value={u.email} />
              <input type="hidden" name="password" value={u.password} />
              <button
                type="submit"
                className="w-full rounded border border-border px-3 py-2 text-left text-sm hover:bg-surface"
              >
                Continue as {u.name} <span className="text-fg-muted">({u.role})</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
      <p className="mt-3 text-xs text-fg-muted">Or with an email and password:</p>
    </section>
  );
}

function PasswordForm({ next, error }: { next: string; error: string | null }) {
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
