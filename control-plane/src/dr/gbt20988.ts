// GB/T 20988 disaster-recovery levels, read from data/gbt20988_levels.csv (thresholds stay data).
// The CSV gives RTO/RPO bounds as the standard's phrases ("minutes to 2 h", "0-30 min", ">24 h");
// they are read as upper bounds with this grammar:
//   "0"                 → 0
//   ">N unit"           → no upper bound (the level allows anything above N)
//   "A-B unit"          → B unit
//   "X to N unit"       → N unit
//   "N unit"            → N unit
//   "minutes" / "hours" → under one hour / under one day ("数分钟", "数小时")
// A level of GB/T 20988 needs ALL SEVEN elements (data backup system, standby data processing
// system, standby network, standby infrastructure, technical support, operations and maintenance,
// the DR plan); a drill measures only RTO and RPO, so the level it reports is an upper bound.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const LEVELS_FILE = fileURLToPath(new URL('../../../data/gbt20988_levels.csv', import.meta.url))

export const SEVEN_ELEMENTS = [
  '数据备份系统 data backup system',
  '备用数据处理系统 standby data processing system',
  '备用网络系统 standby network system',
  '备用基础设施 standby infrastructure',
  '专业技术支持能力 technical support',
  '运行维护管理能力 operation and maintenance',
  '灾难恢复预案 disaster recovery plan',
] as const

export interface GbtLevel {
  level: number
  nameZh: string
  nameEn: string
  rtoMax: string
  rpoMax: string
  /** Upper bounds in seconds; Infinity: unbounded; null: the phrase could not be read. */
  rtoMaxSeconds: number | null
  rpoMaxSeconds: number | null
  dataBackupElement: string
  confidence: string
}

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
  week: 604800,
  weeks: 604800,
}

/** Upper bound of an RTO/RPO phrase in seconds (Infinity: no bound), null when unreadable. */
export function parseBound(phrase: string): number | null {
  const text = phrase.trim().toLowerCase()
  if (text === '0') return 0
  if (text === 'minutes') return 3600
  if (text === 'hours') return 86400
  if (text.startsWith('>')) return Number.POSITIVE_INFINITY
  let m = /^(?:[\d.]+|minutes|hours)\s*(?:-|to)\s*([\d.]+)\s*([a-z]+)$/.exec(text)
  if (m) {
    const unit = UNITS[m[2] ?? '']
    return unit ? Number(m[1]) * unit : null
  }
  m = /^([\d.]+)\s*([a-z]+)$/.exec(text)
  if (m) {
    const unit = UNITS[m[2] ?? '']
    return unit ? Number(m[1]) * unit : null
  }
  return null
}

/** Minimal CSV (quoted fields allowed). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let field = ''
  let row: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      field = ''
      if (row.some((f) => f !== '')) rows.push(row)
      row = []
    } else field += ch
  }
  row.push(field)
  if (row.some((f) => f !== '')) rows.push(row)
  const [header, ...body] = rows
  if (!header) return []
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])))
}

export function loadLevels(file = LEVELS_FILE): GbtLevel[] {
  return parseCsv(readFileSync(file, 'utf8'))
    .map((r) => ({
      level: Number(r.level),
      nameZh: r.name_zh ?? '',
      nameEn: r.name_en ?? '',
      rtoMax: r.rto_max ?? '',
      rpoMax: r.rpo_max ?? '',
      rtoMaxSeconds: parseBound(r.rto_max ?? ''),
      rpoMaxSeconds: parseBound(r.rpo_max ?? ''),
      dataBackupElement: r.data_backup_element ?? '',
      confidence: r.confidence ?? '',
    }))
    .sort((a, b) => a.level - b.level)
}

export interface LevelFit {
  /** The highest level whose RTO and RPO bounds the measurement meets; null if none (or unmeasured). */
  level: number | null
  nameZh: string | null
  nameEn: string | null
  rtoMax: string | null
  rpoMax: string | null
  measured: { rtoSeconds: number | null; rpoSeconds: number | null }
  basis: string
  note: string
}

export function fitLevel(levels: GbtLevel[], rtoSeconds: number | null, rpoSeconds: number | null): LevelFit {
  const base = {
    measured: { rtoSeconds, rpoSeconds },
    basis: 'RTO and RPO measured in this drill against the bounds in data/gbt20988_levels.csv',
    note: `A GB/T 20988 level needs all seven elements (${SEVEN_ELEMENTS.join('; ')}); this drill measures only RTO and RPO, so the level is what the measured RTO/RPO permit, not a certification.`,
  }
  if (rtoSeconds === null || rpoSeconds === null) {
    return { level: null, nameZh: null, nameEn: null, rtoMax: null, rpoMax: null, ...base }
  }
  let best: GbtLevel | null = null
  for (const l of levels) {
    if (l.rtoMaxSeconds === null || l.rpoMaxSeconds === null) continue
    if (rtoSeconds <= l.rtoMaxSeconds && rpoSeconds <= l.rpoMaxSeconds && (!best || l.level > best.level)) best = l
  }
  return best
    ? { level: best.level, nameZh: best.nameZh, nameEn: best.nameEn, rtoMax: best.rtoMax, rpoMax: best.rpoMax, ...base }
    : { level: null, nameZh: null, nameEn: null, rtoMax: null, rpoMax: null, ...base }
}
