/** ColorBrewer "Blues" (sequential, colour-blind safe), light to dark. */
export const SEQUENTIAL = ['#eff3ff', '#c6dbef', '#9ecae1', '#6baed6', '#2171b5', '#08519c'] as const
/** Tiles and bars with no figure. */
export const NO_DATA = '#f0f0f0'

export interface Bin {
  colour: string
  from: number
  to: number
}

/** Equal-width bins over [min, max]; one bin when every value is the same. */
export function binsFor(values: readonly number[], palette: readonly string[] = SEQUENTIAL): Bin[] {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return []
  const min = Math.min(...finite)
  const max = Math.max(...finite)
  if (max === min) return [{ colour: palette[Math.floor(palette.length / 2)] ?? NO_DATA, from: min, to: max }]
  const width = (max - min) / palette.length
  return palette.map((colour, i) => ({ colour, from: min + i * width, to: i === palette.length - 1 ? max : min + (i + 1) * width }))
}

export function colourFor(value: number | null | undefined, bins: readonly Bin[]): string {
  if (value === null || value === undefined || !Number.isFinite(value) || bins.length === 0) return NO_DATA
  for (const bin of bins) if (value <= bin.to) return bin.colour
  return bins[bins.length - 1]?.colour ?? NO_DATA
}

function channel(hex: string, at: number): number {
  const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5)
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/** Black or white text, whichever contrasts more with the background. */
export function textOn(background: string): string {
  return contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#141414' : '#ffffff'
}

/**
 * Categorical palette after Okabe–Ito, with the light hues replaced by darker ones so every line has
 * at least 3:1 contrast on white (WCAG non-text contrast).
 */
export const CATEGORICAL = [
  '#0072b2',
  '#d55e00',
  '#008571',
  '#c2185b',
  '#7a5c00',
  '#6a3d9a',
  '#8c564b',
  '#444444',
  '#1565c0',
  '#ad5700',
] as const

export function seriesColour(i: number): string {
  return CATEGORICAL[i % CATEGORICAL.length] ?? '#0072b2'
}
