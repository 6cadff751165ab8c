import { apiError } from './errors'

/** One page of a Kubernetes List: the items and the token of the next page. */
export interface ListPage<T> {
  items: T[]
  metadata?: { _continue?: string }
}

/** Default `limit` per request: the API server's own default chunk size for kubectl. */
export const DEFAULT_PAGE_SIZE = 500

// A guard against a server that keeps returning a continue token: 10,000 pages of 500 is
// 5 million objects, the design's whole-fleet pod count.
const MAX_PAGES = 10_000

/**
 * Reads every page of a list call (limit + continue). `what` names the call in errors, which are
 * wrapped as KubeInventoryError with the original as `cause`.
 */
export async function listAll<T>(
  what: string,
  fetchPage: (page: { limit: number; _continue?: string }) => Promise<ListPage<T>>,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<T[]> {
  const items: T[] = []
  let token: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    let list: ListPage<T>
    try {
      list = await fetchPage(token === undefined ? { limit: pageSize } : { limit: pageSize, _continue: token })
    } catch (error) {
      throw apiError(what, error)
    }
    items.push(...list.items)
    token = list.metadata?._continue || undefined
    if (token === undefined) return items
  }
  throw apiError(what, new Error(`more than ${MAX_PAGES} pages; the server keeps returning a continue token`))
}
