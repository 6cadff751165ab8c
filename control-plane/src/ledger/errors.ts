export interface FieldError {
  path: string
  message: string
}

/** A domain error with a stable code; routes turn it into a 4xx with the same code and message. */
export class LedgerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message)
  }
}
