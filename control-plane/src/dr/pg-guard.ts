// Preloaded into the lab's control-plane instances (`node --import tsx --import ./control-plane/src/dr/pg-guard.ts`).
//
// node-postgres emits connection errors as 'error' EVENTS, and an EventEmitter without an 'error'
// listener throws: the whole control plane exits. Two cases happen at every failover or switchover:
// - an IDLE pooled connection dies ("terminating connection due to unexpected postmaster exit",
//   HAProxy's shutdown-sessions): pg-pool re-emits it on the Pool, which has no listener in
//   control-plane/src/store/open.ts;
// - a CHECKED-OUT connection between two statements of a transaction gets a FATAL from the server
//   ("terminating connection due to administrator command" when Patroni demotes the primary): the
//   Client emits it, and nothing listens on a checked-out client.
// That is a defect a drill must surface, not hide: when such an error has no listener, this guard
// writes one line starting with GUARD_MARK to stderr (the drill report lists it under findings) and
// drops the error instead of crashing, so the rest of the drill still measures the database
// failover. Once the store listens itself the guard never acts.
import pg from 'pg'

export const GUARD_MARK = 'suanpan-dr-guard: unhandled pg'

const Base = pg.Pool

class GuardedPool extends Base {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const error = args[0] as Error | undefined
      process.stderr.write(
        `${GUARD_MARK} Pool error (idle connection; the process would have exited): ${error?.message ?? String(error)}\n`,
      )
      return false
    }
    return super.emit(event, ...args)
  }
}

Object.defineProperty(pg, 'Pool', { value: GuardedPool, writable: true, configurable: true, enumerable: true })

interface Emitter {
  emit(event: string | symbol, ...args: unknown[]): boolean
  listenerCount(event: string | symbol): number
}

const clientProto = pg.Client.prototype as unknown as Emitter
const clientEmit = clientProto.emit
clientProto.emit = function guardedEmit(this: Emitter, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'error' && this.listenerCount('error') === 0) {
    const error = args[0] as Error | undefined
    process.stderr.write(
      `${GUARD_MARK} Client error (checked-out connection; the process would have exited): ${error?.message ?? String(error)}\n`,
    )
    return false
  }
  return clientEmit.call(this, event, ...args)
}
