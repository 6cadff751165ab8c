import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseCsv } from './csv'
import { loadCatalog } from './load'

const catalog = loadCatalog()
const REFERENCE = new URL('../../../data/', import.meta.url)

function referenceRows(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(new URL(file, REFERENCE), 'utf8'))
  return rows.map((r) => Object.fromEntries((header?.fields ?? []).map((name, i) => [name, r.fields[i] ?? ''])))
}

describe('shipped catalog data', () => {
  it('gives every row a confidence and a source', () => {
    for (const row of [...catalog.devices, ...catalog.cpus]) {
      expect(row.confidence, row.origin).toMatch(/^(high|medium|low|uncertain)$/)
      expect(row.source, row.origin).not.toBe('')
    }
  })

  it('repeats a model only with the same figures (rows that differ only in how they match)', () => {
    const seen = new Map<string, string>()
    for (const row of catalog.devices) {
      const key = `${row.vendor}|${row.model}`
      const value = JSON.stringify([row.kind, row.domestic, row.figures, row.memoryGb, row.tdpW, row.partitionUnits])
      expect(seen.get(key) ?? value, row.origin).toBe(value)
      seen.set(key, value)
    }
    for (const row of catalog.cpus) {
      const value = JSON.stringify([row.vendor, row.fp64FlopPerCycle, row.fp32FlopPerCycle, row.assumedGhz])
      expect(seen.get(row.microarchitecture) ?? value, row.origin).toBe(value)
      seen.set(row.microarchitecture, value)
    }
  })

  it('never lets a resource-only row shadow a later row for the same resource', () => {
    for (const [i, row] of catalog.devices.entries()) {
      if (row.pattern !== null || row.minDevices !== null) continue
      const later = catalog.devices.slice(i + 1).filter((r) => r.resources.some((res) => row.resources.includes(res)))
      expect(
        later.map((r) => r.origin),
        row.origin,
      ).toEqual([])
    }
  })

  // The reference folder is not shipped; when present, every one of its rows must be carried with its confidence and source.
  describe.skipIf(!existsSync(new URL('device_catalog.csv', REFERENCE)))('against the reference data', () => {
    it('carries every device row with its figures, confidence and source (910C halved per die)', () => {
      for (const ref of referenceRows('device_catalog.csv')) {
        const rows = catalog.devices.filter(
          (d) => d.vendor === ref.vendor && d.model.startsWith(ref.model ?? '') && d.source === ref.source,
        )
        expect(rows.length, ref.model).toBeGreaterThan(0)
        const factor = ref.model === 'Ascend-910C' ? 2 : 1
        for (const row of rows) {
          expect(row.confidence).toBe(ref.confidence)
          expect(row.matchHint).toBe(ref.match_hint)
          expect(row.figures.fp16Dense === null ? '' : String(row.figures.fp16Dense * factor)).toBe(ref.fp16_dense_tflops)
          expect(row.figures.int8Dense === null ? '' : String(row.figures.int8Dense * factor)).toBe(ref.int8_dense_tops)
          expect(row.figures.fp32 === null ? '' : String(row.figures.fp32)).toBe(ref.fp32_tflops)
        }
      }
    })

    it('carries every CPU row with its FLOP per cycle, confidence and source', () => {
      for (const ref of referenceRows('cpu_flops_per_cycle.csv')) {
        const rows = catalog.cpus.filter((c) => c.microarchitecture === ref.microarchitecture)
        expect(rows.length, ref.microarchitecture).toBeGreaterThan(0)
        for (const row of rows) {
          expect([row.confidence, row.source, row.matchHint]).toEqual([ref.confidence, ref.source, ref.match_hint])
          expect([String(row.fp64FlopPerCycle), String(row.fp32FlopPerCycle)]).toEqual([
            ref.fp64_flop_per_cycle_per_core,
            ref.fp32_flop_per_cycle_per_core,
          ])
        }
      }
    })
  })
})
