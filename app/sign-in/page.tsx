import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { getCaller } from '@/server/auth/session';
import { safeNext } from '@/server/auth/sign-in';
import { seededSignIns } from '@/server/auth/users';
import { env } from '@/server/env';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

const errors: Record<string, string> = {
  invalid: 'Wrong email or password.',
  throttled: 'Too many failed attempts. Wait 5 minutes and try again.',
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNext(typeof params.next === 'string' ? params.next : undefined);
  if (await getCaller()) redirect(next);
  const error = typeof params.error === 'string' ? (errors[params.error] ?? null) : null;
  return (
    <main className="flex min-h-screen items-center justify-center bg-surface p-6">
      <div className="w-full max-w-sm rounded-lg border border-border bg-surface-raised p-6 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Ledgerline</h1>
        <p className="mt-1 text-sm text-fg-muted">
          {env.LEDGERLINE_STAGE === 'production' ? 'Production' : env.LEDGERLINE_STAGE} · {env.AWS_REGION}
        </p>
        {env.LEDGERLINE_BACKEND === 'aws' ? (
          <p className="mt-4 text-sm">
            Sign-in is handled by your organisation&apos;s identity provider. Reload the page to continue.
          </p>
        ) : (
          <SignInForm next={next} error={error} seeded={seededSignIns(env.LEDGERLINE_BACKEND)} />
        )}
      </div>
    </main>
  );
}
