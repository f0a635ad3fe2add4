// PNG output: rasterizes the charts' SVG with resvg, using DejaVu fonts shipped in an npm package.
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);

/**
 * The fonts come from the `dejavu-fonts-ttf` package rather than the system, so a fresh machine
 * or CI renders the same text without installing fonts; system fonts are not loaded, which also
 * makes the output independent of what happens to be installed.
 */
function fontFiles(): string[] {
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

/**
 * Renders an SVG document (as made by renderSvg) to PNG bytes, at `scale` × its own size.
 * @example fs.writeFileSync('loss.png', svgToPng(renderSvg(series, options)))
 */
export function svgToPng(svg: string, scale = 1): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: 'DejaVu Sans' },
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}
