#!/usr/bin/env node
/**
 * Writes the console's icons into public/ (favicon.ico, icon.svg, apple-touch-icon.png) from
 * one drawing: a teal rounded square holding three ledger
 * lines. Run `node scripts/make-icons.mjs` after changing the drawing; the output is committed.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [15, 118, 110]; // teal-700
const FG = [255, 255, 255];
// The drawing in a 32-unit square: corner radius and three bars [x0, y0, x1, y1].
const RADIUS = 7;
const BARS = [
  [8, 9, 24, 12],
  [8, 15, 24, 18],
  [8, 21, 18, 24],
];

/** Coverage of one pixel by the drawing, 4x4 supersampled: [alpha of bg, alpha of fg]. */
function sample(x, y, size) {
  let bg = 0;
  let fg = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const u = ((x + (sx + 0.5) / 4) / size) * 32;
      const v = ((y + (sy + 0.5) / 4) / size) * 32;
      const cx = Math.min(Math.max(u, RADIUS), 32 - RADIUS);
      const cy = Math.min(Math.max(v, RADIUS), 32 - RADIUS);
      if ((u - cx) ** 2 + (v - cy) ** 2 > RADIUS ** 2) continue;
      bg++;
      if (BARS.some(([x0, y0, x1, y1]) => u >= x0 && u < x1 && v >= y0 && v < y1)) fg++;
    }
  }
  return [bg / 16, fg / 16];
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const [a, f] = sample(x, y, size);
      const mix = a === 0 ? 0 : f / a;
      for (let c = 0; c < 3; c++) row[1 + x * 4 + c] = Math.round(BG[c] * (1 - mix) + FG[c] * mix);
      row[1 + x * 4 + 3] = Math.round(a * 255);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO holding PNG images (supported by every current browser). */
function ico(sizes) {
  const images = sizes.map(png);
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map((img, i) => {
    const e = Buffer.alloc(16);
    e[0] = sizes[i] >= 256 ? 0 : sizes[i];
    e[1] = sizes[i] >= 256 ? 0 : sizes[i];
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(img.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += img.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images]);
}

const rgb = (c) => `rgb(${c.join(',')})`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="${RADIUS}" fill="${rgb(BG)}"/>${BARS.map(([x0, y0, x1, y1]) => `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="${rgb(FG)}"/>`).join('')}</svg>\n`;

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('favicon.ico', out), ico([16, 32, 48]));
writeFileSync(new URL('icon.svg', out), svg);
writeFileSync(new URL('apple-touch-icon.png', out), png(180));
console.log('wrote public/favicon.ico, icon.svg, apple-touch-icon.png');
