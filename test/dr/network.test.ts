// The lab network (control-plane/src/dr/network.ts) on real sockets and real processes, without the
// lab: an echo server stands in for a center's service, child processes stand in for the centers'
// programs (their command lines name `<dir>/<center>/`, as the postmaster's -D or etcd's --data-dir do).
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { centerOfProcess, LabNetwork, type NetworkLink, networkCut, networkHeal, networkStatus } from '../../control-plane/src/dr/network'
import { freePorts, sleep } from '../../control-plane/src/dr/proc'
import type { CenterName } from '../../control-plane/src/dr/state'

const linux = process.platform === 'linux'

/**
 * A client in its own process whose command line names a center directory: it connects to `port`,
 * then for every line on stdin sends it and prints what came back, or `TIMEOUT` / `CLOSED`.
 */
function clientProcess(
  dir: string,
  center: string,
  port: number,
): { child: ChildProcess; ask: (line: string, ms?: number) => Promise<string> } {
  const code = `
    const net = require('node:net')
    const s = net.connect(${port}, '127.0.0.1')
    let waiting = null
    s.on('data', (d) => { if (waiting) { const w = waiting; waiting = null; w(String(d).trim()) } })
    s.on('close', () => { if (waiting) { const w = waiting; waiting = null; w('CLOSED') } else process.stdout.write('CLOSED\\n') })
    s.on('error', () => {})
    require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
      const [ms, text] = line.split(' ')
      const t = setTimeout(() => { if (waiting) { waiting = null; process.stdout.write('TIMEOUT\\n') } }, Number(ms))
      waiting = (answer) => { clearTimeout(t); process.stdout.write(answer + '\\n') }
      s.write(text + '\\n')
    })`
  const child = spawn(process.execPath, ['-e', code, join(dir, center.toLowerCase(), 'marker')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: string[] = []
  const waiters: ((l: string) => void)[] = []
  let buffer = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buffer += d
    let i = buffer.indexOf('\n')
    while (i >= 0) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 1)
      const w = waiters.shift()
      if (w) w(line)
      else lines.push(line)
      i = buffer.indexOf('\n')
    }
  })
  const ask = (line: string, ms = 1000) =>
    new Promise<string>((resolve) => {
      child.stdin?.write(`${ms} ${line}\n`)
      const queued = lines.shift()
      if (queued !== undefined) resolve(queued)
      else waiters.push(resolve)
    })
  return { child, ask }
}

describe.skipIf(!linux)('lab network: a TCP proxy that tells the centers apart and can cut two of them', () => {
  let dir = ''
  let echo: Server
  let network: LabNetwork
  let ports: number[] = []
  const sockets = new Set<Socket>()
  const children: ChildProcess[] = []
  let ingress = 0
  let route = 0
  let control = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'suanpan-net-test-'))
    ports = await freePorts(4)
    const [target, i, r, c] = ports as [number, number, number, number]
    ingress = i
    route = r
    control = c
    echo = createServer((s) => {
      sockets.add(s)
      s.on('error', () => {})
      s.on('data', (d) => s.write(`echo ${String(d).trim()}\n`))
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((resolve) => echo.listen(target, '127.0.0.1', () => resolve()))
    const links: NetworkLink[] = [
      { kind: 'ingress', to: 'A1', from: null, service: 'postgres', listen: ingress, target },
      { kind: 'route', to: 'A1', from: 'A2', service: 'rest', listen: route, target },
    ]
    const centers = { A1: join(dir, 'a1'), A2: join(dir, 'a2'), B1: join(dir, 'b1') } as Record<CenterName, string>
    network = new LabNetwork({ controlPort: control, centers, links })
    await network.start()
  })

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await network?.stop()
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()))
    rmSync(dir, { recursive: true, force: true })
  })

  const open = (center: string, port: number) => {
    const c = clientProcess(dir, center, port)
    children.push(c.child)
    return c
  }

  it('finds the center of a process from its command line (or an ancestor’s)', () => {
    const centers = { A1: join(dir, 'a1'), A2: join(dir, 'a2'), B1: join(dir, 'b1') } as Record<CenterName, string>
    expect(centerOfProcess(process.pid, centers)).toBeNull()
  })

  it('forwards, identifies the source of ingress connections, and a drop cut holds A1 ⇹ A2 traffic while B1 still passes', async () => {
    const a2 = open('A2', ingress)
    const b1 = open('B1', ingress)
    const viaRoute = open('A2', route)
    expect(await a2.ask('one')).toBe('echo one')
    expect(await b1.ask('one')).toBe('echo one')
    expect(await viaRoute.ask('one')).toBe('echo one')
    let status = await networkStatus(control)
    expect(status.accepted).toMatchObject({ 'A2→A1 postgres': 1, 'A2→A1 rest (route)': 1, 'B1→A1 postgres': 1 })
    expect(status.identify.unknown).toBe(0)

    await networkCut(control, 'A1', 'A2', 'drop')
    // Held, not closed: no answer, no reset.
    expect(await a2.ask('two', 700)).toBe('TIMEOUT')
    expect(await viaRoute.ask('two', 700)).toBe('TIMEOUT')
    expect(await b1.ask('two')).toBe('echo two')
    // A new connection from A2 during the cut is accepted and held.
    const late = open('A2', ingress)
    expect(await late.ask('late', 700)).toBe('TIMEOUT')
    status = await networkStatus(control)
    expect(status.cuts.map((c) => [c.a, c.b, c.mode])).toEqual([['A1', 'A2', 'drop']])
    expect(status.connections.filter((c) => c.from === 'A2').reduce((n, c) => n + c.held, 0)).toBe(3)

    // Heal: what was held is delivered (like retransmissions getting through), and the links work again.
    const healed = await networkHeal(control)
    expect(healed.healed).toHaveLength(1)
    await sleep(200)
    expect(await a2.ask('three')).toMatch(/echo (two|three)/)
    expect(await late.ask('four')).toMatch(/echo (late|four)/)
    expect(await b1.ask('three')).toBe('echo three')
  })

  it('a reject cut resets the connections between the two centers and refuses new ones', async () => {
    const a2 = open('A2', ingress)
    expect(await a2.ask('x')).toBe('echo x')
    await networkCut(control, 'A2', 'A1', 'reject')
    expect(await a2.ask('y', 1000)).toBe('CLOSED')
    const again = open('A2', ingress)
    expect(await again.ask('z', 1000)).toBe('CLOSED')
    await networkHeal(control, 'A1', 'A2')
    const after = open('A2', ingress)
    expect(await after.ask('ok')).toBe('echo ok')
    // A connection from outside the lab (this test process has no center) is never cut.
    await networkCut(control, 'A1', 'A2', 'drop')
    const outside = await new Promise<string>((resolve) => {
      const s = connect(ingress, '127.0.0.1', () => s.write('out\n'))
      s.on('data', (d) => {
        resolve(String(d).trim())
        s.destroy()
      })
    })
    expect(outside).toBe('echo out')
    await networkHeal(control)
    expect((await networkStatus(control)).cuts).toEqual([])
  })
})
