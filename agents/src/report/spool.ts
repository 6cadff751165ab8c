import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file'

export type ReportKind = 'full' | 'usage'

export interface SpoolOptions {
  /** A directory of its own (the agent uses `<stateDir>/spool`). */
  dir: string
  /** At most this many reports on disk; 5,760 by default (a day of 15 s usage reports). */
  maxReports?: number
  /** At most this many bytes of reports on disk; 256 MiB by default. */
  maxBytes?: number
  /** Flush every file before renaming it into place; on by default, off for simulators and tests. */
  fsync?: boolean
}

/** A report as it waits on disk: the exact bytes that will be sent. */
export interface SpooledReport {
  sequence: number
  kind: ReportKind
  body: string
}

export interface SpoolEntry {
  sequence: number
  kind: ReportKind
  bytes: number
}

/** Reports evicted to respect the bounds, by kind, since the spool directory was created. */
export interface SpoolDrops {
  usage: number
  full: number
}

const DEFAULT_MAX_REPORTS = 5_760
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024
const DROPS_FILE = 'dropped.json'
const SEQUENCE_DIGITS = String(Number.MAX_SAFE_INTEGER).length
const REPORT_FILE = /^(\d{16})-(full|usage)\.json$/

/**
 * Reports that could not be delivered yet, oldest first, one file per report named by sequence
 * (`0000000000000042-usage.json`) and written atomically. One file per report rather than an append log because
 * the drop policy removes reports from the middle (the oldest usage report, not the oldest report) and delivery
 * removes them from the head: with files both are one unlink, with a log both need compaction. The file name
 * carries sequence and kind, so a restart rebuilds the index from a directory listing without reading bodies.
 *
 * Not safe for two processes on one directory; within a process, calls are serialized.
 */
export class Spool {
  readonly #dir: string
  readonly #maxReports: number
  readonly #maxBytes: number
  readonly #fsync: boolean
  /** Sorted by sequence. */
  #entries: SpoolEntry[]
  #bytes: number
  #drops: SpoolDrops
  #fullCount: number
  #head: SpooledReport | undefined
  #lock: Promise<unknown> = Promise.resolve()

  private constructor(opts: SpoolOptions, entries: SpoolEntry[], drops: SpoolDrops) {
    this.#dir = opts.dir
    this.#maxReports = opts.maxReports ?? DEFAULT_MAX_REPORTS
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
    this.#fsync = opts.fsync !== false
    this.#entries = entries
    this.#bytes = entries.reduce((sum, e) => sum + e.bytes, 0)
    this.#fullCount = entries.filter((e) => e.kind === 'full').length
    this.#drops = drops
  }

  /** Opens (or creates) the spool in `opts.dir`, removes half-written temp files, and applies the bounds. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const maxReports = opts.maxReports ?? DEFAULT_MAX_REPORTS
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
    if (!Number.isSafeInteger(maxReports) || maxReports < 1) throw new RangeError(`spool maxReports must be >= 1, got ${maxReports}`)
    if (!(maxBytes >= 1)) throw new RangeError(`spool maxBytes must be >= 1, got ${maxBytes}`)
    await mkdir(opts.dir, { recursive: true })
    const entries: SpoolEntry[] = []
    for (const name of await readdir(opts.dir)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await rm(join(opts.dir, name), { force: true })
        continue
      }
      const match = REPORT_FILE.exec(name)
      if (!match?.[1] || !match[2]) continue
      const { size } = await stat(join(opts.dir, name))
      entries.push({ sequence: Number(match[1]), kind: match[2] as ReportKind, bytes: size })
    }
    entries.sort((a, b) => a.sequence - b.sequence)
    const spool = new Spool(opts, entries, await readDrops(opts.dir))
    // The bounds may have been lowered since the files were written.
    await spool.#serialize(() => spool.#evictFor(0, 0))
    return spool
  }

  /** Number of reports waiting. */
  get depth(): number {
    return this.#entries.length
  }

  /** Bytes of reports waiting. */
  get bytes(): number {
    return this.#bytes
  }

  /** Number of full reports waiting. */
  get fullCount(): number {
    return this.#fullCount
  }

  /** Highest sequence on disk, if any. */
  get lastSequence(): number | undefined {
    return this.#entries.at(-1)?.sequence
  }

  get drops(): Readonly<SpoolDrops> {
    return { ...this.#drops }
  }

  /** Index of what is waiting, oldest first. */
  entries(): readonly SpoolEntry[] {
    return this.#entries.slice()
  }

  /**
   * Stores a report, first evicting what the bounds require: the oldest usage reports, then the oldest full reports
   * (a newer full report supersedes an older one's inventory, while lost usage is lost for good, so full reports go
   * last). A report larger than `maxBytes` on its own is dropped instead. Every eviction is counted and persisted.
   * Resolves with what was dropped.
   */
  append(report: SpooledReport): Promise<SpoolEntry[]> {
    return this.#serialize(async () => {
      const bytes = Buffer.byteLength(report.body)
      const entry: SpoolEntry = { sequence: report.sequence, kind: report.kind, bytes }
      if (bytes > this.#maxBytes) {
        await this.#countDrops([entry])
        return [entry]
      }
      // A replay of a sequence already here replaces it rather than counting twice.
      await this.#removeEntry(report.sequence)
      const dropped = await this.#evictFor(1, bytes)
      await writeFileAtomic(join(this.#dir, fileName(entry)), report.body, { fsync: this.#fsync })
      this.#insert(entry)
      return dropped
    })
  }

  /** The oldest report, body included; `undefined` when the spool is empty. */
  peek(): Promise<SpooledReport | undefined> {
    return this.#serialize(async () => {
      for (;;) {
        const first = this.#entries[0]
        if (!first) return undefined
        if (this.#head?.sequence === first.sequence) return this.#head
        try {
          const body = await readFile(join(this.#dir, fileName(first)), 'utf8')
          // Cached: a retry loop asks for the same head many times during an outage.
          this.#head = { sequence: first.sequence, kind: first.kind, body }
          return this.#head
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
          // Deleted behind our back: nothing to send, move on.
          this.#forget(first.sequence)
        }
      }
    })
  }

  /** Removes a report once it is delivered (or rejected for good). */
  remove(sequence: number): Promise<void> {
    return this.#serialize(() => this.#removeEntry(sequence))
  }

  async #removeEntry(sequence: number): Promise<void> {
    const entry = this.#entries.find((e) => e.sequence === sequence)
    if (!entry) return
    await rm(join(this.#dir, fileName(entry)), { force: true })
    this.#forget(sequence)
  }

  async #evictFor(count: number, bytes: number): Promise<SpoolEntry[]> {
    const victims: SpoolEntry[] = []
    let depth = this.#entries.length
    let total = this.#bytes
    const usage = this.#entries.filter((e) => e.kind === 'usage')
    const full = this.#entries.filter((e) => e.kind === 'full')
    while (depth + count > this.#maxReports || total + bytes > this.#maxBytes) {
      const victim = usage.shift() ?? full.shift()
      if (!victim) break
      victims.push(victim)
      depth -= 1
      total -= victim.bytes
    }
    if (victims.length === 0) return victims
    // Count before deleting: a crash in between over-counts a drop rather than losing one silently.
    await this.#countDrops(victims)
    for (const victim of victims) await this.#removeEntry(victim.sequence)
    return victims
  }

  async #countDrops(victims: SpoolEntry[]): Promise<void> {
    const drops = { ...this.#drops }
    for (const v of victims) drops[v.kind] += 1
    await writeFileAtomic(join(this.#dir, DROPS_FILE), `${JSON.stringify(drops)}\n`, { fsync: this.#fsync })
    this.#drops = drops
  }

  #insert(entry: SpoolEntry): void {
    let i = this.#entries.length
    // Almost always appended at the end; a failed direct send can be older than what queued behind it.
    while (i > 0 && (this.#entries[i - 1]?.sequence ?? -1) > entry.sequence) i -= 1
    this.#entries.splice(i, 0, entry)
    this.#bytes += entry.bytes
    if (entry.kind === 'full') this.#fullCount += 1
  }

  #forget(sequence: number): void {
    const i = this.#entries.findIndex((e) => e.sequence === sequence)
    if (i < 0) return
    const [entry] = this.#entries.splice(i, 1)
    if (entry) {
      this.#bytes -= entry.bytes
      if (entry.kind === 'full') this.#fullCount -= 1
    }
    if (this.#head?.sequence === sequence) this.#head = undefined
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => {})
    return run
  }
}

function fileName(entry: { sequence: number; kind: ReportKind }): string {
  return `${String(entry.sequence).padStart(SEQUENCE_DIGITS, '0')}-${entry.kind}.json`
}

async function readDrops(dir: string): Promise<SpoolDrops> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, DROPS_FILE), 'utf8')) as Partial<SpoolDrops> | null
    return { usage: count(parsed?.usage), full: count(parsed?.full) }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { usage: 0, full: 0 }
    throw new Error(`spool drop counter ${join(dir, DROPS_FILE)} is unreadable; fix or delete it`, { cause: err })
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0
}
