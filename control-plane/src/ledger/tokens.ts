import { createHash, randomBytes } from 'node:crypto'

/** Tokens carry 256 random bits, so a fast hash is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function newToken(): string {
  return `spk_${randomBytes(32).toString('base64url')}`
}
