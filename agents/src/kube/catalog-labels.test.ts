import { describe, expect, it } from 'vitest'
import { CATALOG_LABEL_PREFIXES, catalogLabels } from './catalog-labels'

describe('catalogLabels', () => {
  it('keeps the device catalog labels and drops the rest', () => {
    const labels = catalogLabels({
      'nvidia.com/gpu.product': 'A100-SXM4-40GB',
      'nvidia.com/mig.strategy': 'single',
      'feature.node.kubernetes.io/cpu-model.vendor_id': 'Intel',
      'feature.node.kubernetes.io/kernel-version.full': '5.15.0',
      'node.kubernetes.io/npu.chip.name': '910B3',
      accelerator: 'huawei-Ascend910',
      'accelerator-type': 'module-910b-8',
      'huawei.com/Ascend910': '8',
      Model: 'MLU370-X8',
      DriverVersion: 'v5.10.22',
      CPUType: 'Intel-Xeon',
      'kubernetes.io/arch': 'arm64',
      'beta.kubernetes.io/arch': 'arm64',
      'kubernetes.io/hostname': 'n1',
      'node.kubernetes.io/instance-type': 'ecs.gn7i',
      'cambricon.com/mlu.model': 'mlu370',
      'hygon.com/dcu.name': 'Z100',
      'kunlunxin.com/xpu.model': 'R200',
      'topology.kubernetes.io/zone': 'cn-beijing-a',
    })
    expect(Object.keys(labels)).toEqual([
      'Model',
      'accelerator',
      'accelerator-type',
      'cambricon.com/mlu.model',
      'feature.node.kubernetes.io/cpu-model.vendor_id',
      'huawei.com/Ascend910',
      'hygon.com/dcu.name',
      'kubernetes.io/arch',
      'kunlunxin.com/xpu.model',
      'node.kubernetes.io/instance-type',
      'node.kubernetes.io/npu.chip.name',
      'nvidia.com/gpu.product',
      'nvidia.com/mig.strategy',
    ])
  })

  it('is a frozen, documented list', () => {
    expect(Object.isFrozen(CATALOG_LABEL_PREFIXES)).toBe(true)
    expect(CATALOG_LABEL_PREFIXES).toContain('nvidia.com/')
    expect(catalogLabels(undefined)).toEqual({})
  })
})
