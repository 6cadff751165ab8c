import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real PostgreSQL server from Debian's packages, on loopback, in a throw-away data directory. */
export interface PostgresServer {
  url: string
  port: number
  dataDir: string
  stop(): void
}

export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  for (const v of versions) {
    const bin = join(root, v, 'bin')
    if (existsSync(join(bin, 'pg_ctl'))) return bin
  }
  return null
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

// initdb refuses to run as root: run the server as the postgres user when we are root.
function asPostgres(bin: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', bin, ...args] : [bin, ...args]
}

function run(command: string[]): void {
  const [file, ...args] = command
  if (!file) throw new Error('empty command')
  const result = spawnSync(file, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr || result.stdout}`)
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const dataDir = mkdtempSync(join(tmpdir(), 'suanpan-pg-'))
  chmodSync(dataDir, 0o777)
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dataDir])
  const port = await freePort()
  run(asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']))
  run(
    asPostgres(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-o',
      `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      '-w',
      '-l',
      join(dataDir, 'server.log'),
      'start',
    ]),
  )
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop() {
      try {
        run(asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']))
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
