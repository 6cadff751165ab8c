import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ReportKind, Spool } from './spool'

const body = (sequence: number, kind: ReportKind, size = 10) => ({ sequence, kind, body: `${kind}:${sequence}:`.padEnd(size, 'x') })

describe('Spool', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suanpan-spool-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('hands reports back oldest first, whatever the order they were added in', async () => {
    const spool = await Spool.open({ dir, fsync: false })
    for (const seq of [3, 1, 2]) await spool.append(body(seq, 'usage'))
    const seen: number[] = []
    for (let head = await spool.peek(); head; head = await spool.peek()) {
      seen.push(head.sequence)
      await spool.remove(head.sequence)
    }
    expect(seen).toEqual([1, 2, 3])
    expect(spool.depth).toBe(0)
  })

  it('survives a restart: a new instance on the same directory finds the same reports and bytes', async () => {
    const first = await Spool.open({ dir, fsync: false })
    await first.append(body(7, 'full', 100))
    await first.append(body(8, 'usage', 50))
    const second = await Spool.open({ dir, fsync: false })
    expect(second.entries()).toEqual([
      { sequence: 7, kind: 'full', bytes: 100 },
      { sequence: 8, kind: 'usage', bytes: 50 },
    ])
    expect(second.bytes).toBe(150)
    expect((await second.peek())?.body).toBe(body(7, 'full', 100).body)
  })

  it('deletes half-written temp files and ignores foreign files on open', async () => {
    await writeFile(join(dir, '.0000000000000001-full.json.123.1.tmp'), '{"trunc')
    await writeFile(join(dir, 'README'), 'not a report')
    const spool = await Spool.open({ dir, fsync: false })
    expect(spool.depth).toBe(0)
    expect((await readdir(dir)).sort()).toEqual(['README'])
  })

  it('when over the count bound drops the oldest usage reports first, then the oldest full, and counts each drop', async () => {
    const spool = await Spool.open({ dir, maxReports: 3, fsync: false })
    await spool.append(body(1, 'full'))
    await spool.append(body(2, 'usage'))
    await spool.append(body(3, 'usage'))
    expect(await spool.append(body(4, 'full'))).toEqual([{ sequence: 2, kind: 'usage', bytes: 10 }])
    await spool.append(body(5, 'full'))
    await spool.append(body(6, 'full'))
    expect(spool.entries().map((e) => `${e.sequence}/${e.kind}`)).toEqual(['4/full', '5/full', '6/full'])
    expect(spool.drops).toEqual({ usage: 2, full: 1 })
    expect(JSON.parse(await readFile(join(dir, 'dropped.json'), 'utf8'))).toEqual({ usage: 2, full: 1 })
    const reopened = await Spool.open({ dir, maxReports: 3, fsync: false })
    expect(reopened.drops).toEqual({ usage: 2, full: 1 })
  })

  it('respects the byte bound, and drops (and counts) a report too big to ever fit', async () => {
    const spool = await Spool.open({ dir, maxBytes: 100, fsync: false })
    await spool.append(body(1, 'usage', 40))
    await spool.append(body(2, 'usage', 40))
    await spool.append(body(3, 'full', 40))
    expect(spool.entries().map((e) => e.sequence)).toEqual([2, 3])
    expect(await spool.append(body(4, 'full', 101))).toEqual([{ sequence: 4, kind: 'full', bytes: 101 }])
    expect(spool.drops).toEqual({ usage: 1, full: 1 })
    expect(spool.bytes).toBe(80)
  })

  it('applies a lowered bound on open, counting the drops', async () => {
    const big = await Spool.open({ dir, fsync: false })
    for (let seq = 1; seq <= 5; seq++) await big.append(body(seq, seq === 1 ? 'full' : 'usage'))
    const small = await Spool.open({ dir, maxReports: 2, fsync: false })
    expect(small.entries().map((e) => e.sequence)).toEqual([1, 5])
    expect(small.drops).toEqual({ usage: 3, full: 0 })
  })

  it('keeps its invariants under any sequence of appends and removals (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ kind: fc.constantFrom<ReportKind>('full', 'usage'), size: fc.integer({ min: 1, max: 60 }), remove: fc.boolean() }),
          {
            maxLength: 25,
          },
        ),
        async (ops) => {
          const sub = await mkdtemp(join(dir, 'p-'))
          const spool = await Spool.open({ dir: sub, maxReports: 4, maxBytes: 150, fsync: false })
          let appended = 0
          let removed = 0
          for (const [i, op] of ops.entries()) {
            await spool.append(body(i, op.kind, op.size))
            appended += 1
            if (op.remove) {
              const head = await spool.peek()
              if (head) {
                await spool.remove(head.sequence)
                removed += 1
              }
            }
            const entries = spool.entries()
            expect(entries.length).toBeLessThanOrEqual(4)
            expect(spool.bytes).toBeLessThanOrEqual(150)
            expect(entries.map((e) => e.sequence)).toEqual([...entries.map((e) => e.sequence)].sort((a, b) => a - b))
            // Nothing vanishes uncounted: everything appended is still here, was removed, or was counted as dropped.
            expect(entries.length + removed + spool.drops.usage + spool.drops.full).toBe(appended)
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})
