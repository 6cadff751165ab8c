/** Human-readable lines by default; one JSON object per line with --json, for machines. */
export interface Output {
  readonly json: boolean
  event(type: string, data: Record<string, unknown>, text: string): void
  result(type: string, data: unknown, text: string): void
}

export function createOutput(json: boolean, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Output {
  return {
    json,
    event(type, data, text) {
      write(json ? JSON.stringify({ type, ...data }) : text)
    },
    result(type, data, text) {
      write(json ? JSON.stringify({ type, data }) : text)
    },
  }
}

/** Progress of long work: a rewritten line on a terminal, periodic lines otherwise, JSON events with --json. */
export function progressLine(out: Output, label: string) {
  const tty = !out.json && process.stdout.isTTY
  let lastPrinted = 0
  const update = (done: number, total: number, failed: number) => {
    const now = Date.now()
    if (done < total && now - lastPrinted < (tty ? 100 : 1000)) return
    lastPrinted = now
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100
    const text = `${label}: ${done}/${total} (${pct}%)${failed > 0 ? `, ${failed} failed` : ''}`
    if (out.json) out.event('progress', { label, done, total, failed }, text)
    else if (tty) process.stdout.write(`\r${text}`)
    else process.stdout.write(`${text}\n`)
  }
  return Object.assign(update, {
    done() {
      if (tty) process.stdout.write('\n')
    },
  })
}
