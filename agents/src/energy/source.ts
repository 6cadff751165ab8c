import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Energy } from '@suanpan/control-plane/schemas'
import { EnergyFeedError, parseEnergyText } from './feed'

/** The site's facility feed, read once per report cycle. */
export interface EnergySource {
  readonly location: string
  /** The current reading; throws `EnergyFeedError` if the feed is unreachable or invalid. */
  read(): Promise<Energy>
}

export interface EnergySourceOptions {
  /** A JSON file path (or `file:` URL), or an `http(s)://` URL serving the same JSON. */
  location: string
  /** URLs only: reuse a good reading this long; 60 s by default. Files are re-read every time (a local read is cheap). */
  cacheMs?: number
  /** URLs only: give up on a request after this long; 5 s by default. */
  timeoutMs?: number
  fetch?: typeof fetch
  /** Milliseconds, for the cache. */
  now?: () => number
}

const MAX_FEED_BYTES = 1024 * 1024

/** Picks a file or an HTTP reader from the location's shape. */
export function createEnergySource(opts: EnergySourceOptions): EnergySource {
  const { location } = opts
  if (/^https?:\/\//i.test(location)) return new UrlEnergySource(opts)
  const path = location.startsWith('file:') ? fileURLToPath(location) : location
  return {
    location,
    async read() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (err) {
        throw new EnergyFeedError('ENERGY_FEED_UNREADABLE', location, `energy feed ${location} is unreadable: ${(err as Error).message}`, {
          cause: err,
        })
      }
      return parseEnergyText(text, location)
    },
  }
}

class UrlEnergySource implements EnergySource {
  readonly location: string
  readonly #cacheMs: number
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  readonly #now: () => number
  #cached: { energy: Energy; at: number } | undefined
  /** Agents asking at once (full and usage cycles together) share one request. */
  #pending: Promise<Energy> | undefined

  constructor(opts: EnergySourceOptions) {
    this.location = opts.location
    this.#cacheMs = opts.cacheMs ?? 60_000
    this.#timeoutMs = opts.timeoutMs ?? 5_000
    this.#fetch = opts.fetch ?? globalThis.fetch
    this.#now = opts.now ?? Date.now
  }

  read(): Promise<Energy> {
    const cached = this.#cached
    if (cached && this.#now() - cached.at < this.#cacheMs) return Promise.resolve(cached.energy)
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  async #load(): Promise<Energy> {
    let text: string
    try {
      const res = await this.#fetch(this.location, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      text = await res.text()
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      if (text.length > MAX_FEED_BYTES) throw new Error(`body larger than ${MAX_FEED_BYTES} bytes`)
    } catch (err) {
      throw new EnergyFeedError(
        'ENERGY_FEED_UNREADABLE',
        this.location,
        `energy feed ${this.location} is unreadable: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
    const energy = parseEnergyText(text, this.location)
    this.#cached = { energy, at: this.#now() }
    return energy
  }
}
