/** A binary min-heap on a numeric key; ties pop in insertion order. */
export class MinHeap<T> {
  private keys: number[] = []
  private seqs: number[] = []
  private items: T[] = []
  private seq = 0

  get size(): number {
    return this.items.length
  }

  push(key: number, item: T): void {
    this.keys.push(key)
    this.seqs.push(this.seq++)
    this.items.push(item)
    this.up(this.items.length - 1)
  }

  /** The smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.keys.length > 0 ? (this.keys[0] as number) : Number.POSITIVE_INFINITY
  }

  pop(): T | undefined {
    const n = this.items.length
    if (n === 0) return undefined
    const top = this.items[0]
    this.swap(0, n - 1)
    this.keys.pop()
    this.seqs.pop()
    this.items.pop()
    if (n > 1) this.down(0)
    return top
  }

  clear(): void {
    this.keys = []
    this.seqs = []
    this.items = []
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number
    const kb = this.keys[b] as number
    return ka < kb || (ka === kb && (this.seqs[a] as number) < (this.seqs[b] as number))
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] as number
    this.keys[a] = this.keys[b] as number
    this.keys[b] = k
    const s = this.seqs[a] as number
    this.seqs[a] = this.seqs[b] as number
    this.seqs[b] = s
    const it = this.items[a] as T
    this.items[a] = this.items[b] as T
    this.items[b] = it
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }

  private down(i: number): void {
    const n = this.items.length
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < n && this.less(l, m)) m = l
      if (r < n && this.less(r, m)) m = r
      if (m === i) break
      this.swap(i, m)
      i = m
    }
  }
}
