import { Worker } from 'node:worker_threads'
import type { Catalog } from '../catalog'
import { type FieldError, LedgerError } from './errors'
import { type PreparedReport, prepareBody } from './prepare'

/** Turns a report body into a prepared report: on worker threads, or inline when there are none. */
export interface Preparer {
  /** A body as text, or as UTF-8 bytes (handed to the worker without a copy when it owns its memory). */
  prepare(body: string | Buffer): Promise<PreparedReport>
  close(): Promise<void>
}

export function inlinePreparer(catalog: Catalog): Preparer {
  return {
    prepare: async (body) => prepareBody(typeof body === 'string' ? body : body.toString('utf8'), catalog),
    close: async () => {},
  }
}

type Reply =
  | { id: number; ok: true; prepared: PreparedReport }
  | { id: number; ok: false; error: { statusCode: number; code: string; message: string; fields?: FieldError[] } }

interface Pending {
  resolve(value: PreparedReport): void
  reject(error: Error): void
}

interface Slot {
  worker: Worker
  pending: Map<number, Pending>
}

/**
 * A fixed pool of worker threads for the CPU-heavy half of ingest (JSON.parse, validation,
 * classification, encoding); the main thread keeps HTTP, auth and the store. A worker that dies
 * fails its pending reports with 503 (the agent retries) and is replaced.
 */
export function workerPreparer(size: number, catalogFile: string | null): Preparer {
  let nextId = 0
  let closed = false
  const slots: Slot[] = []
  const spawn = (index: number): void => {
    // A worker keeps nothing between reports but the catalog and its memo: a small old generation
    // bounds its heap, and so the process RSS, at little cost (what it collects is short-lived).
    const worker = new Worker(new URL('./prepare-worker-entry.mjs', import.meta.url), {
      workerData: { catalogFile },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    })
    const slot: Slot = { worker, pending: new Map() }
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id)
      if (!p) return
      slot.pending.delete(reply.id)
      if (reply.ok) p.resolve(reply.prepared)
      else p.reject(new LedgerError(reply.error.statusCode, reply.error.code, reply.error.message, reply.error.fields))
    })
    const fail = (error: Error) => {
      for (const p of slot.pending.values())
        p.reject(new LedgerError(503, 'INGEST_WORKER_FAILED', `ingest worker failed: ${error.message}; retry`))
      slot.pending.clear()
      if (!closed) spawn(index)
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`exited with code ${code}`))
    })
    slots[index] = slot
  }
  for (let i = 0; i < size; i++) spawn(i)
  return {
    prepare(body) {
      // The least busy worker; reports are independent, order is restored by the store's sequence checks.
      let slot = slots[0]
      for (const s of slots) if (slot && s.pending.size < slot.pending.size) slot = s
      if (!slot) return Promise.reject(new LedgerError(503, 'INGEST_WORKER_FAILED', 'no ingest worker'))
      const id = nextId++
      const target = slot
      return new Promise<PreparedReport>((resolve, reject) => {
        target.pending.set(id, { resolve, reject })
        if (typeof body === 'string') {
          target.worker.postMessage({ id, body })
          return
        }
        // A body of its own ArrayBuffer moves to the worker; a slice of a shared pool is copied first.
        const owned =
          body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer
            ? body.buffer
            : new Uint8Array(body).buffer
        target.worker.postMessage({ id, bytes: owned }, [owned])
      })
    },
    async close() {
      closed = true
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}
