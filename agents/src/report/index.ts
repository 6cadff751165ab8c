export { type BackoffOptions, backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff'
export { ReportClient, type ReportClientOptions, type ReportSender } from './client'
export { FULL_REPORT_REQUIRED, ReportError, type ReportErrorOptions, type ReportFailureReason } from './errors'
export { type Logger, silentLogger, stderrLogger } from './log'
export {
  type AttemptEvent,
  type AttemptOutcome,
  abortableSleep,
  Pusher,
  type PusherHooks,
  type PusherOptions,
  type Sleep,
  type SpoolState,
  type SubmitOutcome,
} from './pusher'
export { SequenceCounter, type SequenceCounterOptions } from './sequence'
export { type ReportKind, Spool, type SpoolDrops, type SpoolEntry, type SpooledReport, type SpoolOptions } from './spool'
