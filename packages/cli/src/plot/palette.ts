// Series colors: a fixed palette, and stable colors keyed by setting for sweeps.

/** Okabe–Ito-derived colors, distinguishable with common color-vision deficiencies, then Tableau. */
export const PALETTE: readonly string[] = [
  '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442',
  '#8C564B', '#7F7F7F', '#BCBD22', '#17BECF',
];

/** The i-th color: the palette, then hues spaced by the golden angle. */
export function colorAt(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  const hue = Math.round((i * 137.508) % 360);
  return `hsl(${hue}, 65%, 42%)`;
}

/**
 * Colors keyed by a label (a sweep's setting, e.g. "n=2, lr=0.1"): the same label always gets the
 * same color, labels get colors in order of first appearance, so seeds of one setting share a color.
 * @example const color = settingPalette(); color('n=1'); color('n=2'); color('n=1') // blue, orange, blue
 */
export function settingPalette(): (label: string) => string {
  const seen = new Map<string, string>();
  return (label) => {
    let c = seen.get(label);
    if (c === undefined) {
      c = colorAt(seen.size);
      seen.set(label, c);
    }
    return c;
  };
}
