import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The repository root: children run from here so `--import tsx` and the workspace packages resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A TypeScript entry point run in its own node process (`node --import tsx <script>`), output captured. */
export interface TsxProcess {
  readonly child: ChildProcess
  /** The node process itself (no shell, no wrapper): a signal sent here reaches the code under test. */
  readonly pid: number
  readonly exited: Promise<ChildExit>
  /** Everything written to stdout so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or on timeout. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>
  /** Sends `signal` to the node pid and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ChildExit>
}

/** Variables of the parent that would point a child at the wrong store or token. */
const SCRUBBED = /^(DATABASE_URL|PORT|HOST|SUANPAN_.*|LOG_LEVEL)$/

export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!SCRUBBED.test(key)) env[key] = value
  return { ...env, ...extra }
}

export function spawnTsx(script: string, args: string[], env: Record<string, string> = {}): TsxProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error(`could not spawn ${script}`)
  const pid = child.pid
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    for (const l of listeners) l()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
  })
  let exit: ChildExit | null = null
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      for (const l of listeners) l()
      resolve(exit)
    })
  })
  return {
    child,
    pid,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitForStdout(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out)
          if (match) return finish(() => resolve(match))
          if (exit)
            return finish(() =>
              reject(new Error(`${script} exited (${JSON.stringify(exit)}) before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)),
            )
        }
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`${script} did not print ${pattern} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`))),
          timeoutMs,
        )
        const finish = (settle: () => void) => {
          clearTimeout(timer)
          listeners.delete(check)
          settle()
        }
        listeners.add(check)
        check()
      })
    },
    async kill(signal) {
      if (exit) return exit
      process.kill(pid, signal)
      return exited
    },
  }
}

/** Runs a TypeScript CLI to completion and returns its exit status and output. */
export async function runTsx(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ChildExit & { stdout: string; stderr: string }> {
  const p = spawnTsx(script, args, env)
  const timer = setTimeout(() => {
    if (p.child.exitCode === null && p.child.signalCode === null) process.kill(p.pid, 'SIGKILL')
  }, timeoutMs)
  try {
    const exit = await p.exited
    return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
  } finally {
    clearTimeout(timer)
  }
}

export interface ControlPlaneProcessOptions {
  port: number
  /** SQLite file of the embedded store, or a postgres:// URL. */
  store: { sqlitePath: string } | { databaseUrl: string }
  adminToken: string
  /** Staleness is 3 intervals; tests that must not see clusters go stale keep this long. */
  reportIntervalSeconds?: number
}

export interface ControlPlaneProcess extends TsxProcess {
  readonly url: string
}

/** `node --import tsx control-plane/src/server.ts` configured from the environment, as an operator runs it. */
export async function startControlPlaneProcess(options: ControlPlaneProcessOptions): Promise<ControlPlaneProcess> {
  const env: Record<string, string> = {
    PORT: String(options.port),
    HOST: '127.0.0.1',
    SUANPAN_ADMIN_TOKEN: options.adminToken,
    SUANPAN_REPORT_INTERVAL_SECONDS: String(options.reportIntervalSeconds ?? 3600),
    LOG_LEVEL: 'error',
    SUANPAN_OPEN_READS: '1',
  }
  if ('databaseUrl' in options.store) env.DATABASE_URL = options.store.databaseUrl
  else env.SUANPAN_SQLITE_PATH = options.store.sqlitePath
  const p = spawnTsx('control-plane/src/server.ts', [], env)
  try {
    await p.waitForStdout(/listening on (http:\/\/\S+)/, 60_000)
  } catch (error) {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.kill('SIGKILL')
    throw error
  }
  return Object.assign(p, { url: `http://127.0.0.1:${options.port}` })
}
