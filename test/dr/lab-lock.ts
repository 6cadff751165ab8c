// One real DR lab at a time on this machine: vitest runs test files in parallel, and two labs (three
// etcd, three Patroni/PostgreSQL, HAProxy, control planes each) on a 2-core machine would stretch every
// timing the drills measure. Each lab suite takes this lock in beforeAll and gives it back in afterAll.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alive, sleep } from '../../control-plane/src/dr/proc'

const LOCK = join(tmpdir(), 'suanpan-dr-lab-test.lock')

/** Waits (at most `timeoutMs`) until no other live process holds the lock, takes it; returns the release. */
export async function takeLabLock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      writeFileSync(LOCK, `${process.pid}\n`, { flag: 'wx' })
      return () => {
        try {
          if (Number(readFileSync(LOCK, 'utf8').trim()) === process.pid) rmSync(LOCK, { force: true })
        } catch {}
      }
    } catch {
      let holder = 0
      try {
        holder = Number(readFileSync(LOCK, 'utf8').trim())
      } catch {}
      if (holder > 0 && !alive(holder)) {
        rmSync(LOCK, { force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`another DR lab suite (pid ${holder}) still holds ${LOCK}`)
      await sleep(1000)
    }
  }
}
