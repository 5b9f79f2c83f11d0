// Draws the app icon (resources/build/icon.png, 1024 px, the size electron-builder wants for every platform): a
// fundus-orange disc with a vessel tree leaving a pale optic disc. Run again after changing the drawing.
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../resources/build/icon.png', import.meta.url));
const vessels = [
  'M600 470 C 520 380, 430 330, 300 300',
  'M600 470 C 540 560, 450 640, 320 720',
  'M600 470 C 700 380, 760 300, 820 240',
  'M600 470 C 690 560, 740 650, 790 780',
  'M430 345 C 410 420, 380 470, 330 500',
  'M470 600 C 520 680, 540 760, 520 840',
  'M720 350 C 640 300, 600 240, 580 180',
];
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024">
  <defs>
    <radialGradient id="fundus" cx="50%" cy="50%" r="50%">
      <stop offset="0%" stop-color="#e8843c"/><stop offset="75%" stop-color="#c2501f"/>
      <stop offset="100%" stop-color="#7a2a10"/>
    </radialGradient>
  </defs>
  <rect width="1024" height="1024" rx="200" fill="#16181d"/>
  <circle cx="512" cy="512" r="430" fill="url(#fundus)"/>
  ${vessels.map((d, i) => `<path d="${d}" fill="none" stroke="#7d1a0c" stroke-linecap="round" stroke-width="${i < 4 ? 26 : 16}"/>`).join('\n  ')}
  <circle cx="600" cy="470" r="70" fill="#f6d9a8"/>
</svg>`;
await sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toFile(out);
console.log(`wrote ${out}`);
