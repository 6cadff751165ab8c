import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createCatalog } from './classify'
import { CatalogError } from './errors'
import { parseCatalogCsv } from './rows'
import type { Catalog, CpuEntry, DeviceEntry } from './types'

const SHIPPED_DEVICES = new URL('../../data/device-catalog.csv', import.meta.url)
const SHIPPED_CPUS = new URL('../../data/cpu-microarchitectures.csv', import.meta.url)

export interface LoadCatalogOptions {
  /**
   * A CSV with the columns of either shipped file (`device-catalog.csv`, or `cpu-microarchitectures.csv`
   * when the header has `microarchitecture`); its rows are tried before the shipped ones, so a user can
   * add a device or override a shipped row.
   */
  userFile?: string
}

function read(file: string | URL): { text: string; name: string } {
  const name = file instanceof URL ? fileURLToPath(file) : file
  try {
    return { text: readFileSync(file, 'utf8'), name }
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new CatalogError('CATALOG_FILE_UNREADABLE', { file: name }, `cannot read the catalog file (${reason})`, { cause })
  }
}

function readRows(file: string | URL): ReturnType<typeof parseCatalogCsv> {
  const { text, name } = read(file)
  return parseCatalogCsv(text, name)
}

/** Reads the shipped catalog and an optional user file; throws `CatalogError` naming file, line and column. */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const shippedDevices = readRows(SHIPPED_DEVICES)
  const shippedCpus = readRows(SHIPPED_CPUS)
  if (shippedDevices.kind !== 'devices' || shippedCpus.kind !== 'cpus') throw new Error('the shipped catalog files are swapped')
  let userDevices: DeviceEntry[] = []
  let userCpus: CpuEntry[] = []
  if (options.userFile !== undefined) {
    const user = readRows(options.userFile)
    if (user.kind === 'devices') userDevices = user.rows
    else userCpus = user.rows
  }
  return createCatalog([...userDevices, ...shippedDevices.rows], [...userCpus, ...shippedCpus.rows])
}

/** A short digest of the catalog data in use (shipped files plus the user file): censuses record it. */
export function catalogVersion(options: LoadCatalogOptions = {}): string {
  const hash = createHash('sha256')
  for (const file of [SHIPPED_DEVICES, SHIPPED_CPUS, ...(options.userFile !== undefined ? [options.userFile] : [])]) {
    hash.update(read(file).text)
    hash.update('\u0000')
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`
}
