// The lab network as a process: `node --import tsx control-plane/src/dr/network-daemon.ts <lab>/network.json`.
// Started by `lab up`, stopped by `lab down` (its pid is in lab.json). See network.ts.
import { readFileSync } from 'node:fs'
import { LabNetwork, type NetworkConfig } from './network'

const file = process.argv[2]
if (!file) {
  process.stderr.write('usage: network-daemon.ts <network.json>\n')
  process.exit(2)
}
const config = JSON.parse(readFileSync(file, 'utf8')) as NetworkConfig
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)
const network = new LabNetwork(config, log)
network.start().then(
  () => log(`listening: ${config.links.length} links, control port ${config.controlPort}`),
  (error: Error) => {
    log(`cannot start: ${error.message}`)
    process.exit(1)
  },
)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`)
    network.stop().finally(() => process.exit(0))
    setTimeout(() => process.exit(0), 2000).unref()
  })
}
process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`))
