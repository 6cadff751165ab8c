import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SequenceCounter } from './sequence'

describe('SequenceCounter', () => {
  let dir: string
  let file: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suanpan-seq-'))
    file = join(dir, 'state', 'sequence.json')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('starts from the clock when there is no file, so a lost state directory does not restart at zero', async () => {
    const counter = await SequenceCounter.open({ file, initial: () => 1_700_000_000_000, fsync: false })
    expect(await counter.next()).toBe(1_700_000_000_000)
  })

  it('never reuses a sequence across restarts', async () => {
    const first = await SequenceCounter.open({ file, initial: () => 0, fsync: false })
    const a = [await first.next(), await first.next(), await first.next()]
    const second = await SequenceCounter.open({ file, initial: () => 0, fsync: false })
    const b = [await second.next(), await second.next()]
    expect([...a, ...b]).toEqual([0, 1, 2, 3, 4])
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ next: 5 })
  })

  it('hands out distinct increasing values to concurrent callers', async () => {
    const counter = await SequenceCounter.open({ file, initial: () => 10, fsync: false })
    const values = await Promise.all(Array.from({ length: 20 }, () => counter.next()))
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i))
  })

  it('with a lease writes once per lease and skips the rest of it after a restart', async () => {
    const first = await SequenceCounter.open({ file, initial: () => 0, leaseSize: 100, fsync: false })
    expect([await first.next(), await first.next()]).toEqual([0, 1])
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ next: 100 })
    const second = await SequenceCounter.open({ file, initial: () => 0, leaseSize: 100, fsync: false })
    expect(await second.next()).toBe(100)
  })

  it('advances past a sequence the control plane already has, and persists it', async () => {
    const counter = await SequenceCounter.open({ file, initial: () => 0, fsync: false })
    await counter.next()
    await counter.advanceTo(500)
    await counter.advanceTo(3)
    expect(await counter.next()).toBe(500)
    const reopened = await SequenceCounter.open({ file, initial: () => 0, fsync: false })
    expect(await reopened.next()).toBe(501)
  })

  it('refuses a corrupt file instead of silently starting over', async () => {
    await SequenceCounter.open({ file, initial: () => 0, fsync: false })
    await writeFile(file, '{"next": -1}')
    await expect(SequenceCounter.open({ file, fsync: false })).rejects.toThrow(/no valid "next"/)
  })
})
