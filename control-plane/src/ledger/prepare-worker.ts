import { parentPort, workerData } from 'node:worker_threads'
import { loadCatalog } from '../catalog'
import { LedgerError } from './errors'
import { prepareBody } from './prepare'

/** A thread that parses, validates and classifies report bodies, so ingest uses more than one core. */
const { catalogFile } = workerData as { catalogFile: string | null }
const catalog = loadCatalog(catalogFile ? { userFile: catalogFile } : {})

parentPort?.on('message', (message: { id: number; body?: string; bytes?: ArrayBuffer }) => {
  try {
    const text = message.body ?? Buffer.from(message.bytes ?? new ArrayBuffer(0)).toString('utf8')
    parentPort?.postMessage({ id: message.id, ok: true, prepared: prepareBody(text, catalog) })
  } catch (error) {
    const e =
      error instanceof LedgerError
        ? { statusCode: error.statusCode, code: error.code, message: error.message, fields: error.fields }
        : { statusCode: 500, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
    parentPort?.postMessage({ id: message.id, ok: false, error: e })
  }
})
