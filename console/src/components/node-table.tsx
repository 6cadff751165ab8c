import type { ClusterNode } from '@suanpan/control-plane/schemas'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useI18n } from '../i18n'

const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

/** A cluster's classified nodes: the last level of the drill-down. */
export function NodeTable({ nodes, caption }: { nodes: readonly ClusterNode[]; caption: string }) {
  const { t, f } = useI18n()
  const columns: ColumnsType<ClusterNode> = [
    { key: 'name', title: t('node.name'), dataIndex: 'name', width: 180, fixed: 'left', sorter: (a, b) => a.name.localeCompare(b.name) },
    { key: 'arch', title: t('node.arch'), dataIndex: 'arch', width: 90 },
    {
      key: 'cpu',
      title: t('node.cpu'),
      width: 260,
      ellipsis: true,
      render: (_, n) => `${n.cpu.vendor} ${n.cpu.model}`,
    },
    {
      key: 'cores',
      title: t('node.cores'),
      width: 90,
      align: 'right',
      sorter: (a, b) => a.cpu.cores - b.cpu.cores,
      render: (_, n) => f.integer(n.cpu.cores),
    },
    { key: 'memory', title: t('node.memory'), width: 110, align: 'right', render: (_, n) => f.bytes(n.memoryBytes) },
    {
      key: 'fp32',
      title: t('node.fp32'),
      width: 120,
      align: 'right',
      render: (_, n) => (n.cpu.fp32Tflops === null ? f.missing : t('unit.tflops', { value: f.number(n.cpu.fp32Tflops, 2) })),
    },
    {
      key: 'cpuRequested',
      title: t('measure.cpuRequested'),
      width: 120,
      align: 'right',
      sorter: (a, b) =>
        (ratio(a.requested.cpuMillis, a.allocatable.cpuMillis) ?? -1) - (ratio(b.requested.cpuMillis, b.allocatable.cpuMillis) ?? -1),
      render: (_, n) => f.percent(ratio(n.requested.cpuMillis, n.allocatable.cpuMillis)),
    },
    {
      key: 'cpuUsed',
      title: t('measure.cpuUsed'),
      width: 120,
      align: 'right',
      render: (_, n) => (n.used ? f.percent(ratio(n.used.cpuMillis, n.allocatable.cpuMillis)) : f.missing),
    },
    {
      key: 'accelerators',
      title: t('node.accelerators'),
      width: 300,
      ellipsis: true,
      render: (_, n) =>
        n.accelerators.length === 0
          ? f.missing
          : n.accelerators
              .map((a) => `${f.number(a.devices, 2)} × ${a.vendor} ${a.model}${a.virtual ? ` (${t('node.virtual')})` : ''}`)
              .join('; '),
    },
    {
      key: 'inUse',
      title: t('measure.acceleratorsInUse'),
      width: 120,
      align: 'right',
      render: (_, n) => {
        const alloc = n.accelerators.reduce((s, a) => s + a.allocatable, 0)
        const inUse = n.accelerators.reduce((s, a) => s + (a.inUse ?? 0), 0)
        return alloc > 0 && n.accelerators.some((a) => a.inUse !== null) ? f.percent(inUse / alloc) : f.missing
      },
    },
  ]
  const virtual = nodes.length > 60
  return (
    <Table<ClusterNode>
      data-testid="node-table"
      size="small"
      rowKey="name"
      columns={columns}
      dataSource={nodes as ClusterNode[]}
      pagination={false}
      virtual={virtual}
      scroll={{ x: 1510, y: virtual ? 560 : undefined }}
      showSorterTooltip={false}
      title={() => <span className="table-caption">{caption}</span>}
    />
  )
}
