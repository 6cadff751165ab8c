import type { LedgerDimension } from '@suanpan/control-plane/schemas'
import Table from 'antd/es/table'
import type { ColumnsType, SorterResult } from 'antd/es/table/interface'
import type { ReactNode } from 'react'
import { type Translate, useI18n } from '../i18n'
import type { MessageKey } from '../i18n/zh-CN'
import type { LedgerTableRow } from '../lib/ledger-table'
import { exportValue } from '../lib/ledger-table'
import type { SortState } from '../lib/ledger-view'
import { displayUnit, formatBare, isMeasureId, MEASURES, type MeasureId } from '../lib/measures'

export interface LedgerTableProps {
  rows: readonly LedgerTableRow[]
  groupBy: readonly LedgerDimension[]
  measures: readonly MeasureId[]
  sort: SortState
  onSort(sort: SortState | null): void
  /** A link (or text) for a row's value of a dimension: drill-down where there is a next level. */
  renderDimension(row: LedgerTableRow, dim: LedgerDimension): ReactNode
  caption: string
  loading?: boolean
}

const DIM_WIDTH = 220
const MEASURE_WIDTH = 132
/** Above this many rows only the visible ones are rendered. */
const VIRTUAL_FROM = 60

const withUnit = (label: string, unit: MessageKey | null, t: Translate) => (unit ? t('csv.withUnit', { label, unit: t(unit) }) : label)

/** The ledger's groups as a sortable table; virtualized when long (2,000 clusters scroll smoothly). */
export function LedgerTable({ rows, groupBy, measures, sort, onSort, renderDimension, caption, loading }: LedgerTableProps) {
  const { t, f } = useI18n()
  const order = (column: string) => (sort.column === column ? sort.order : null)
  const columns: ColumnsType<LedgerTableRow> = [
    ...groupBy.map((dim, i) => ({
      key: dim,
      dataIndex: dim,
      title: t(`dim.${dim}`),
      width: DIM_WIDTH,
      fixed: i === 0 ? ('left' as const) : undefined,
      ellipsis: true,
      sorter: true,
      sortOrder: order(dim),
      render: (_: unknown, row: LedgerTableRow) => renderDimension(row, dim),
    })),
    ...measures.map((id) => ({
      key: id,
      dataIndex: id,
      title: withUnit(t(`measure.${id}`), displayUnit(MEASURES[id].format), t),
      width: MEASURE_WIDTH,
      align: 'right' as const,
      sorter: true,
      sortOrder: order(id),
      render: (_: unknown, row: LedgerTableRow) => {
        const m = MEASURES[id]
        return (
          <span data-col={id} data-value={exportValue(id, row.group) ?? ''}>
            {formatBare(m.format, m.value(row.group), f)}
          </span>
        )
      },
    })),
  ]
  const width = groupBy.length * DIM_WIDTH + measures.length * MEASURE_WIDTH
  const virtual = rows.length > VIRTUAL_FROM
  return (
    <Table<LedgerTableRow>
      data-testid="ledger-table"
      size="small"
      rowKey="rowKey"
      columns={columns}
      dataSource={rows as LedgerTableRow[]}
      pagination={false}
      loading={loading}
      virtual={virtual}
      scroll={{ x: width, y: virtual ? 560 : undefined }}
      sortDirections={['descend', 'ascend']}
      showSorterTooltip={false}
      title={() => <span className="table-caption">{caption}</span>}
      onChange={(_pagination, _filters, sorter) => {
        const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<LedgerTableRow> | undefined
        const column = typeof s?.columnKey === 'string' ? s.columnKey : null
        if (!s?.order || !column) return onSort(null)
        if (isMeasureId(column) || groupBy.includes(column as LedgerDimension)) {
          onSort({ column: column as MeasureId | LedgerDimension, order: s.order })
        }
      }}
    />
  )
}
