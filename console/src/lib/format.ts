/** Beijing time: the fleet's diurnal cycle and every operator of it use it, whatever the viewer's clock. */
export const TIME_ZONE = 'Asia/Shanghai'

export interface UnitTemplates {
  /** Each contains `{value}`. */
  pflops: string
  cores: string
  kw: string
  mw: string
  kgPerKwh: string
}

export interface Formatters {
  readonly locale: string
  /** `—` for missing figures. */
  readonly missing: string
  number(value: number | null | undefined, maxDigits?: number): string
  /** Fewer decimals the larger the figure: 1,234 / 123.4 / 12.35 / 1.235. */
  adaptive(value: number | null | undefined): string
  integer(value: number | null | undefined): string
  percent(value: number | null | undefined, digits?: number): string
  pflops(value: number | null | undefined): string
  cores(value: number | null | undefined): string
  power(kw: number | null | undefined): string
  pue(value: number | null | undefined): string
  carbon(value: number | null | undefined): string
  bytes(value: number | null | undefined): string
  time(ms: number): string
  dateTime(value: string | number | null | undefined): string
  /** Date and time to the second (audit records, census freeze times). */
  timestamp(value: string | number | null | undefined): string
}

const MISSING = '—'
const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

/** Locale-aware formatting of the ledger's figures (Intl.NumberFormat), with units from the i18n tables. */
export function createFormatters(locale: string, units: UnitTemplates): Formatters {
  const cache = new Map<string, Intl.NumberFormat>()
  const nf = (key: string, options: Intl.NumberFormatOptions) => {
    let f = cache.get(key)
    if (!f) {
      f = new Intl.NumberFormat(locale, options)
      cache.set(key, f)
    }
    return f
  }
  const fill = (template: string, value: string) => template.replace('{value}', value)
  const number = (value: number | null | undefined, maxDigits = 2) =>
    isNum(value) ? nf(`n${maxDigits}`, { maximumFractionDigits: maxDigits }).format(value) : MISSING
  /** Fewer decimals the larger the figure: 1,234 / 123.4 / 12.35 / 1.235. */
  const adaptive = (value: number | null | undefined) =>
    !isNum(value) ? MISSING : number(value, Math.abs(value) >= 1000 ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 10 ? 2 : 3)
  const byteUnits = [
    ['petabyte', 1e15],
    ['terabyte', 1e12],
    ['gigabyte', 1e9],
    ['megabyte', 1e6],
  ] as const
  const time = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const dayTime = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
  const full = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
  const dateOf = (value: string | number | null | undefined): Date | null => {
    if (value === null || value === undefined) return null
    const d = new Date(value)
    return Number.isNaN(d.getTime()) ? null : d
  }
  return {
    locale,
    missing: MISSING,
    number,
    adaptive,
    integer: (value) => (isNum(value) ? nf('int', { maximumFractionDigits: 0 }).format(value) : MISSING),
    percent: (value, digits = 1) =>
      isNum(value) ? nf(`p${digits}`, { style: 'percent', maximumFractionDigits: digits }).format(value) : MISSING,
    pflops: (value) => (isNum(value) ? fill(units.pflops, adaptive(value)) : MISSING),
    cores: (value) => (isNum(value) ? fill(units.cores, number(value, 0)) : MISSING),
    power: (kw) => {
      if (!isNum(kw)) return MISSING
      return Math.abs(kw) >= 1000 ? fill(units.mw, number(kw / 1000, 2)) : fill(units.kw, number(kw, 1))
    },
    pue: (value) => number(value, 3),
    carbon: (value) => (isNum(value) ? fill(units.kgPerKwh, number(value, 3)) : MISSING),
    bytes: (value) => {
      if (!isNum(value)) return MISSING
      const [unit, size] = byteUnits.find(([, s]) => Math.abs(value) >= s) ?? (['megabyte', 1e6] as const)
      return nf(`b-${unit}`, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value / size)
    },
    time: (ms) => time.format(ms),
    dateTime: (value) => {
      const d = dateOf(value)
      return d ? dayTime.format(d) : MISSING
    },
    timestamp: (value) => {
      const d = dateOf(value)
      return d ? full.format(d) : MISSING
    },
  }
}
