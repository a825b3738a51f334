/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Separate build folders let several builds (e.g. parallel e2e runs) share one checkout.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The container image (Dockerfile) runs `node server.js` from <distDir>/standalone: only the
  // traced server files and node_modules (better-sqlite3's native binary included). `next start`
  // (npm start, e2e) still serves the same build; it only logs that standalone exists.
  output: 'standalone',
  turbopack: {
    rules: {
      // uPlot's module-level Intl objects, created on first use (see the loader).
      '*.esm.js': {
        condition: { path: /(^|[\\/])node_modules[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ },
        loaders: ['./tools/build/uplot-lazy-intl.cjs'],
      },
    },
  },
  // The embedded platform's native module stays a runtime require on the server.
  serverExternalPackages: ['better-sqlite3'],
  // Pages get their CSP (with a nonce) and security headers from proxy.ts; API answers are
  // never cached and never sniffed, whichever handler wrote them (route(), auth, health, admin).
  async headers() {
    return [
      {
        source: '/api/:path*',
        headers: [
          { key: 'x-content-type-options', value: 'nosniff' },
          { key: 'cache-control', value: 'no-store' },
          { key: 'referrer-policy', value: 'no-referrer' },
          { key: 'x-frame-options', value: 'DENY' },
        ],
      },
    ];
  },
};
export default nextConfig;
