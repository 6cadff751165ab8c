import { buildApp } from './app'
import { loadConfig } from './config'

/** Run the control plane alone: `tsx control-plane/src/server.ts` (the CLI's `suanpan start` adds the fleet). */
const config = loadConfig(process.env)
const { app } = await buildApp({ config })
const address = await app.listen({ host: config.host, port: config.port })
console.log(`suanpan control plane listening on ${address}`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0))
  })
}
