/** The agent's structured log: one line per event, fields kept machine-readable. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  return JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })
}

/** JSON lines on stderr, so stdout stays free for a command's own output. */
export const stderrLogger: Logger = {
  info: (message, fields) => process.stderr.write(`${line('info', message, fields)}\n`),
  warn: (message, fields) => process.stderr.write(`${line('warn', message, fields)}\n`),
  error: (message, fields) => process.stderr.write(`${line('error', message, fields)}\n`),
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
