import { ApiException } from '@kubernetes/client-node'

/** Stable codes of inventory failures. */
export type KubeInventoryErrorCode =
  /** No usable kubeconfig: missing file, no current cluster, http:// without skipTLSVerify. */
  | 'KUBE_CONFIG_INVALID'
  /** The API server answered with an error status or could not be reached. */
  | 'KUBE_API_ERROR'
  /** An object from the API server cannot be read (for example a malformed quantity). */
  | 'KUBE_OBJECT_INVALID'

/** A failure to read the cluster's inventory; `cause` holds the underlying error. */
export class KubeInventoryError extends Error {
  override readonly name = 'KubeInventoryError'
  /** HTTP status of the API server's answer, when there was one. */
  readonly status: number | undefined
  constructor(
    readonly code: KubeInventoryErrorCode,
    message: string,
    options?: ErrorOptions & { status?: number },
  ) {
    super(message, options)
    this.status = options?.status
  }
}

/** The HTTP status of a client-node ApiException, or undefined for any other error. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException && typeof error.code === 'number' ? error.code : undefined
}

/** The `message` of a Kubernetes Status body (object or JSON text), if there is one. */
export function statusMessage(body: unknown): string | undefined {
  let value: unknown = body
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body)
    } catch {
      return body.trim().slice(0, 300) || undefined
    }
  }
  if (value !== null && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return value.message
  return undefined
}

/** The generated client's own text for statuses it knows ("Unauthorized" for 401), which carry no body. */
function generatedMessage(error: ApiException<unknown>): string | undefined {
  const message = /\nMessage: ([^\n]+)/.exec(error.message)?.[1]
  return message && message !== 'Unknown API Status Code!' ? message : undefined
}

/** Wraps any error from a call to the API server, naming what was being done. */
export function apiError(what: string, error: unknown): KubeInventoryError {
  if (error instanceof KubeInventoryError) return error
  const status = apiStatus(error)
  if (status !== undefined) {
    const detail = error instanceof ApiException ? (statusMessage(error.body) ?? generatedMessage(error)) : undefined
    return new KubeInventoryError('KUBE_API_ERROR', `${what} failed: HTTP ${status}${detail ? `: ${detail}` : ''}`, {
      cause: error,
      status,
    })
  }
  const reason = error instanceof Error ? error.message : String(error)
  if (/HTTP protocol is not allowed|No active cluster|No currently active cluster/i.test(reason)) {
    return new KubeInventoryError('KUBE_CONFIG_INVALID', `${what} failed: ${reason}`, { cause: error })
  }
  return new KubeInventoryError('KUBE_API_ERROR', `${what} failed: ${reason}`, { cause: error })
}
