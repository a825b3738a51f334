/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Separate build folders let several builds (e.g. parallel e2e runs) share one checkout.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The embedded platform's native module stays a runtime require on the server.
  serverExternalPackages: ['better-sqlite3'],
};
export default nextConfig;
