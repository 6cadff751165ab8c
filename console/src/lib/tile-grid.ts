/**
 * Tile cartogram of the 32 provincial divisions: one equal tile per division at a fixed (row, column),
 * arranged by hand to keep each division near its real neighbours (north up, west left). Drawn as a
 * CSS grid: no borders are drawn, so no boundary claims are made. Row 0 is the north; the Xinjiang
 * Production and Construction Corps (660000) sits beside Xinjiang.
 */
export interface TilePosition {
  code: string
  row: number
  col: number
}

export const TILE_GRID: readonly TilePosition[] = [
  { code: '230000', row: 0, col: 6 }, // 黑龙江
  { code: '660000', row: 1, col: 0 }, // 新疆生产建设兵团
  { code: '150000', row: 1, col: 3 }, // 内蒙古
  { code: '110000', row: 1, col: 4 }, // 北京
  { code: '220000', row: 1, col: 6 }, // 吉林
  { code: '650000', row: 2, col: 0 }, // 新疆
  { code: '620000', row: 2, col: 1 }, // 甘肃
  { code: '640000', row: 2, col: 2 }, // 宁夏
  { code: '140000', row: 2, col: 3 }, // 山西
  { code: '130000', row: 2, col: 4 }, // 河北
  { code: '120000', row: 2, col: 5 }, // 天津
  { code: '210000', row: 2, col: 6 }, // 辽宁
  { code: '540000', row: 3, col: 0 }, // 西藏
  { code: '630000', row: 3, col: 1 }, // 青海
  { code: '610000', row: 3, col: 2 }, // 陕西
  { code: '410000', row: 3, col: 3 }, // 河南
  { code: '370000', row: 3, col: 4 }, // 山东
  { code: '510000', row: 4, col: 1 }, // 四川
  { code: '500000', row: 4, col: 2 }, // 重庆
  { code: '420000', row: 4, col: 3 }, // 湖北
  { code: '340000', row: 4, col: 4 }, // 安徽
  { code: '320000', row: 4, col: 5 }, // 江苏
  { code: '310000', row: 4, col: 6 }, // 上海
  { code: '530000', row: 5, col: 1 }, // 云南
  { code: '520000', row: 5, col: 2 }, // 贵州
  { code: '430000', row: 5, col: 3 }, // 湖南
  { code: '360000', row: 5, col: 4 }, // 江西
  { code: '330000', row: 5, col: 5 }, // 浙江
  { code: '450000', row: 6, col: 2 }, // 广西
  { code: '440000', row: 6, col: 3 }, // 广东
  { code: '350000', row: 6, col: 4 }, // 福建
  { code: '460000', row: 7, col: 3 }, // 海南
]

export const TILE_ROWS = 1 + Math.max(...TILE_GRID.map((t) => t.row))
export const TILE_COLS = 1 + Math.max(...TILE_GRID.map((t) => t.col))

export type Direction = 'up' | 'down' | 'left' | 'right'

const STEPS: Readonly<Record<Direction, readonly [number, number]>> = { up: [-1, 0], down: [1, 0], left: [0, -1], right: [0, 1] }

/** The nearest tile in a direction (arrow-key navigation): straight line first, then the closest off it. */
export function neighbour(from: TilePosition, direction: Direction, tiles: readonly TilePosition[] = TILE_GRID): TilePosition | null {
  const [dr, dc] = STEPS[direction]
  let best: TilePosition | null = null
  let bestScore = Number.POSITIVE_INFINITY
  for (const t of tiles) {
    const along = (t.row - from.row) * dr + (t.col - from.col) * dc
    if (along <= 0) continue
    const across = Math.abs((t.row - from.row) * dc + (t.col - from.col) * dr)
    const score = along + across * 2
    if (score < bestScore) {
      best = t
      bestScore = score
    }
  }
  return best
}
