// Vitest runs outside React Server Components; the `server-only` guard is for the Next bundler.
export {};
