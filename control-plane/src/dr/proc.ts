// Process plumbing for the DR lab: daemons in their own process group, logs to files, every wait
// bounded. Nothing here knows about PostgreSQL or Patroni.
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'

export class TimeoutError extends Error {
  readonly code = 'DR_TIMEOUT'
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** `await` a promise for at most `ms`; a synchronous commit or a hung socket must not hang a drill. */
export async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Polls `probe` until it returns a value that is not null/undefined/false, for at most `timeoutMs`.
 * Errors thrown by the probe count as "not yet"; the last one is in the timeout message.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  intervalMs = 200,
  abort?: () => boolean,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  for (;;) {
    if (abort?.()) throw new AbortError(`${what}: aborted`)
    try {
      const value = await probe()
      if (value !== null && value !== undefined && value !== false) return value as T
    } catch (error) {
      lastError = (error as Error).message
    }
    if (Date.now() >= deadline)
      throw new TimeoutError(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`)
    await sleep(intervalMs)
  }
}

export class AbortError extends Error {
  readonly code = 'DR_ABORTED'
}

/** Distinct free loopback ports, all held open at once so no two are the same. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => {
            const address = server.address()
            resolve(typeof address === 'object' && address ? address.port : 0)
          })
        }),
      )
    }
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

/** Is anything accepting TCP connections on 127.0.0.1:port? */
export async function portOpen(port: number, timeoutMs = 500): Promise<boolean> {
  const { connect } = await import('node:net')
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export interface RunAs {
  uid: number
  gid: number
  home: string
}

let postgresUser: RunAs | null | undefined

/**
 * PostgreSQL refuses to run as root: when we are root, servers and Patroni run as the `postgres`
 * user (the same as `runuser -u postgres --`, without a wrapper process between us and the daemon).
 */
export function serviceUser(): RunAs | null {
  if (postgresUser !== undefined) return postgresUser
  if (process.getuid?.() !== 0) {
    postgresUser = null
    return null
  }
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('running as root but there is no postgres user (apt-get install postgresql-15)')
  const [, , uid, gid, , home] = line.split(':')
  postgresUser = { uid: Number(uid), gid: Number(gid), home: home || '/var/lib/postgresql' }
  return postgresUser
}

/** Hands a path to the service user (no-op when we are not root). */
/** Where a service user's process starts: its home (it can always enter it), or `/`. */
function serviceCwd(user: { home: string } | null): string | undefined {
  if (!user) return undefined
  return existsSync(user.home) ? user.home : '/'
}

export function chownToService(path: string): void {
  const user = serviceUser()
  if (user) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, path])
}

export interface DaemonOptions {
  cwd?: string
  env: NodeJS.ProcessEnv
  log: string
  /** Run as the service user (postgres) when we are root. */
  asService?: boolean
}

/**
 * Starts a long-running process in its own process group (so the group can be signalled as one),
 * stdout and stderr appended to `log`, detached from us. Returns its pid (= its process group id).
 */
export function spawnDaemon(command: string, args: string[], options: DaemonOptions): number {
  const fd = openSync(options.log, 'a')
  try {
    const user = options.asService ? serviceUser() : null
    const child = spawn(command, args, {
      // A service user may not be able to enter the caller's directory (a repository under /root, or a
      // 0700 temporary clone): its processes start in its home unless told otherwise.
      cwd: options.cwd ?? serviceCwd(user),
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    })
    if (child.pid === undefined) throw new Error(`could not start ${command}`)
    child.on('error', () => {})
    child.unref()
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** Is the process alive (and not a zombie)? */
export function alive(pid: number | null | undefined): boolean {
  if (!pid || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** The process group of a pid (from /proc), or null when it is gone. */
export function pgidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const pgid = Number(fields[2])
    return Number.isInteger(pgid) && pgid > 1 ? pgid : null
  } catch {
    return null
  }
}

/**
 * Kills a PostgreSQL server the way a lost center loses it: the postmaster and every backend.
 * Patroni starts the postmaster through a short-lived setsid'd helper, so the postmaster's process
 * group is the helper's id, not its own: signal the group it is really in, then the pid itself.
 */
export async function stopPostmaster(pid: number, signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
  const pgid = pgidOf(pid)
  if (pgid) await stopGroup(pgid, signal, graceMs)
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
}

/** Pids of a process group (read from /proc). */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = []
  let entries: string[] = []
  try {
    entries = execFileSync('ps', ['-e', '-o', 'pid=,pgid='], { encoding: 'utf8' }).split('\n')
  } catch {
    return pids
  }
  for (const line of entries) {
    const [pid, group] = line.trim().split(/\s+/).map(Number)
    if (pid && group === pgid && alive(pid)) pids.push(pid)
  }
  return pids
}

/** Signals a whole process group; quiet when it is already gone. */
export function signalGroup(pgid: number | null | undefined, signal: NodeJS.Signals): void {
  if (!pgid || pgid <= 1) return
  try {
    process.kill(-pgid, signal)
  } catch {
    try {
      process.kill(pgid, signal)
    } catch {}
  }
}

/**
 * Stops a process group: `signal` first (SIGKILL for a fault, SIGTERM for an orderly stop), then
 * SIGKILL for whatever is left after `graceMs`. Resolves when no member remains (bounded).
 */
export async function stopGroup(pgid: number | null | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!pgid || pgid <= 1) return
  signalGroup(pgid, signal)
  const gone = () => !alive(pgid) && groupMembers(pgid).length === 0
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (gone()) return
    await sleep(50)
  }
  signalGroup(pgid, 'SIGKILL')
  const hard = Date.now() + 5000
  while (Date.now() < hard) {
    if (gone()) return
    await sleep(50)
  }
}

/** The postmaster of a data directory, from postmaster.pid (null when none is running). */
export function postmasterPid(dataDir: string): number | null {
  const file = `${dataDir}/postmaster.pid`
  if (!existsSync(file)) return null
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0])
    return alive(pid) ? pid : null
  } catch {
    return null
  }
}

/** Runs a command to completion with a timeout; throws with its output on failure. */
export async function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; asService?: boolean; timeoutMs: number; cwd?: string },
): Promise<string> {
  const user = options.asService ? serviceUser() : null
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd ?? serviceCwd(user),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    })
    let out = ''
    let err = ''
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c
    })
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      err += c
    })
    const timer = setTimeout(() => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL')
      reject(new TimeoutError(`${command} ${args.join(' ')}: still running after ${options.timeoutMs} ms\n${err || out}`))
    }, options.timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${(err || out).trim().slice(-2000)}`))
    })
  })
}

/** Environment for service processes: no PGPASSWORD (it overrides pgpass and breaks pg_rewind), no stray libpq settings. */
export function serviceEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  }
  return { ...env, ...extra }
}
