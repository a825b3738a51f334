import localFont from 'next/font/local';

/**
 * The console's fonts, self-hosted from the @fontsource-variable packages (no font service at
 * build or run time) through next/font, which preloads the files (the packages' plain @font-face
 * CSS let the browser find them only once the stylesheet was parsed). `display: 'optional'`: a
 * font that has not arrived by first paint (about 100 ms) is not swapped in later, so text never
 * re-wraps when it arrives; the page keeps the fallback until the next load, by when the file is
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

export const jetbrainsMono = localFont({
  src: '../node_modules/@fontsource-variable/jetbrains-mono/files/jetbrains-mono-latin-wght-normal.woff2',
  weight: '100 800',
  style: 'normal',
  display: 'optional',
  variable: '--font-jetbrains-mono',
  // next/font adjusts to Arial or Times New Roman only: neither is a monospace fallback.
  adjustFontFallback: false,
  fallback: ['ui-monospace', 'monospace'],
});
