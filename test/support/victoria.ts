import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './postgres'

/** A real VictoriaMetrics (Debian's `victoria-metrics`) on loopback, in a throw-away data directory. */
export interface VictoriaServer {
  url: string
  stop(): Promise<void>
}

export function victoriaBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v victoria-metrics'], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : null
}

export async function startVictoria(): Promise<VictoriaServer> {
  const bin = victoriaBinary()
  if (!bin) throw new Error('victoria-metrics not installed (apt-get install victoria-metrics)')
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-vm-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  // Retention long enough for the tests' fixed clock; no latency offset so fresh samples are queryable.
  const child: ChildProcess = spawn(
    bin,
    [
      `-storageDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=100y',
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
    ],
    { stdio: 'ignore' },
  )
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {}
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`victoria-metrics did not start on ${url}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
