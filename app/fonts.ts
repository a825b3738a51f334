import localFont from 'next/font/local';

/**
 * The console's font, self-hosted from the @fontsource-variable package (no font service at
 * build or run time) through next/font, which preloads the file (the package's plain @font-face
 * CSS let the browser find it only once the stylesheet was parsed). The only web font: monospace
 * text uses the platform's own (app/globals.css); a second preloaded file (JetBrains Mono, 40 kB)
 * finished before first paint and Lighthouse's simulated LCP counted it on every page (web bench:
 * mobile LCP medians 2.57-2.70 s with it, 1.76-2.34 s without, same machine and run).
 * `display: 'optional'`: a font that has not arrived by first paint (about 100 ms) is not swapped
 * in later, so text never re-wraps when it arrives; the page keeps the fallback until the next load, by when the file is
 * cached. A fallback with Arial's metrics (next/font's adjustFontFallback) would not be enough:
 * on Linux local("Arial") is absent and the fallback is DejaVu Sans, much wider than Inter.
 * Latin only: other scripts use the fallback font.
 */
export const inter = localFont({
  src: '../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2',
  weight: '100 900',
  style: 'normal',
  display: 'optional',
  variable: '--font-inter',
  adjustFontFallback: 'Arial',
  fallback: ['ui-sans-serif', 'system-ui', 'sans-serif'],
});
