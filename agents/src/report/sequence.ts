import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from './atomic-file'

export interface SequenceCounterOptions {
  /** e.g. `<stateDir>/sequence.json`; holds the first sequence not yet handed out (or reserved). */
  file: string
  /**
   * How many sequences to reserve per write. 1 (the default) writes once per report; a larger lease (the fleet
   * simulator) writes once per lease and skips the unused rest of it after a restart; gaps are harmless, reuse is not.
   */
  leaseSize?: number
  /** First sequence when there is no file yet; the wall clock in ms by default, so that an agent whose state
   * directory was lost still starts above anything it sent before and is not answered `ignored-older`. */
  initial?: () => number
  fsync?: boolean
}

interface SequenceFile {
  next: number
}

/** A per-cluster, strictly increasing report sequence that survives restarts: a value is persisted before it is used. */
export class SequenceCounter {
  readonly #file: string
  readonly #leaseSize: number
  readonly #fsync: boolean
  #next: number
  #reservedUntil: number
  #lock: Promise<unknown> = Promise.resolve()

  private constructor(file: string, next: number, leaseSize: number, fsync: boolean) {
    this.#file = file
    this.#next = next
    this.#reservedUntil = next
    this.#leaseSize = leaseSize
    this.#fsync = fsync
  }

  static async open(opts: SequenceCounterOptions): Promise<SequenceCounter> {
    const leaseSize = opts.leaseSize ?? 1
    if (!Number.isSafeInteger(leaseSize) || leaseSize < 1) throw new RangeError(`leaseSize must be a positive integer, got ${leaseSize}`)
    await mkdir(dirname(opts.file), { recursive: true })
    const stored = await readSequenceFile(opts.file)
    const next = stored ?? Math.floor((opts.initial ?? Date.now)())
    return new SequenceCounter(opts.file, next, leaseSize, opts.fsync !== false)
  }

  /** The value the next call to `next()` returns. */
  get peek(): number {
    return this.#next
  }

  /** Hands out the next sequence, after it is safely on disk. */
  next(): Promise<number> {
    return this.#serialize(async () => {
      if (this.#next >= this.#reservedUntil) await this.#persist(this.#next + this.#leaseSize)
      const value = this.#next
      this.#next += 1
      return value
    })
  }

  /** Makes sure every later sequence is at least `minNext` (e.g. past what the control plane last accepted). */
  advanceTo(minNext: number): Promise<void> {
    return this.#serialize(async () => {
      if (minNext <= this.#next) return
      this.#next = minNext
      if (this.#next >= this.#reservedUntil) await this.#persist(this.#next + this.#leaseSize)
    })
  }

  async #persist(reservedUntil: number): Promise<void> {
    if (reservedUntil > Number.MAX_SAFE_INTEGER) throw new RangeError('report sequence exhausted (Number.MAX_SAFE_INTEGER)')
    const content: SequenceFile = { next: reservedUntil }
    await writeFileAtomic(this.#file, `${JSON.stringify(content)}\n`, { fsync: this.#fsync })
    this.#reservedUntil = reservedUntil
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => {})
    return run
  }
}

async function readSequenceFile(file: string): Promise<number | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`sequence file ${file} is not JSON; fix or delete it (a new one starts from the clock)`, { cause: err })
  }
  const next = (parsed as Partial<SequenceFile> | null)?.next
  if (typeof next !== 'number' || !Number.isSafeInteger(next) || next < 0) {
    throw new Error(`sequence file ${file} has no valid "next"; fix or delete it (a new one starts from the clock)`)
  }
  return next
}
