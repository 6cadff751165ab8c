import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CatalogError } from './errors'
import { readFixtureNode, toContractNode } from './fixture-nodes'
import { loadCatalog } from './load'

const dir = mkdtempSync(join(tmpdir(), 'suanpan-catalog-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function userFile(text: string): string {
  const file = join(dir, `user-${++files}.csv`)
  writeFileSync(file, text)
  return file
}

const DEVICE_HEADER = 'vendor,model,kind,domestic,resource,label_keys,pattern,fp32_tflops,fp16_dense_tflops,confidence,source'

function loadError(file: string): CatalogError {
  try {
    loadCatalog({ userFile: file })
  } catch (e) {
    if (e instanceof CatalogError) return e
    throw e
  }
  throw new Error('expected loadCatalog to fail')
}

describe('loadCatalog', () => {
  it('loads the shipped rows in file order', () => {
    const catalog = loadCatalog()
    expect(catalog.devices[0]?.model).toBe('A100-SXM4-40GB')
    expect(catalog.devices.some((d) => d.model === 'Ascend-910C (one of two dies)' && d.minDevices === 16)).toBe(true)
    expect(catalog.cpus.map((c) => c.microarchitecture)).toContain('Kunpeng 920 (TaiShan v110)')
    expect(catalog.labelKeys).toEqual(expect.arrayContaining(['nvidia.com/gpu.product', 'accelerator-type', 'Model', 'kubernetes.io/arch']))
  })

  it('tries user rows before the shipped ones, so a user can override a model and add a device', () => {
    const file = userFile(
      [
        DEVICE_HEADER,
        'NVIDIA,A100-SXM4-40GB (site-measured),GPU,false,nvidia.com/gpu,nodeInstance,^dgxa100,18,300,medium,"acceptance test, site 12"',
        'MetaX,C500,GPU,true,metax-tech.com/gpu,,,,280,low,vendor brochure',
      ].join('\n'),
    )
    const catalog = loadCatalog({ userFile: file })
    const node = toContractNode(readFixtureNode('kwok-virtual-dgx-a100-8gpu-node.yaml'), { capacity: { 'metax-tech.com/gpu': 2 } })
    const c = catalog.classifyNode(node)
    const byResource = Object.fromEntries(c.accelerators.map((a) => [a.resource, a]))
    expect(byResource['nvidia.com/gpu']).toMatchObject({ model: 'A100-SXM4-40GB (site-measured)', devices: 8, confidence: 'medium' })
    expect(byResource['nvidia.com/gpu']?.figures).toEqual({ fp64: null, fp32: 18, fp16Dense: 300, int8Dense: null })
    expect(byResource['metax-tech.com/gpu']).toMatchObject({ kind: 'GPU', vendor: 'MetaX', domestic: true, devices: 2 })
    // the shipped catalog is unchanged by another instance's user file
    expect(
      loadCatalog()
        .classifyNode(node)
        .accelerators.find((a) => a.resource === 'nvidia.com/gpu')?.model,
    ).toBe('A100-SXM4-40GB')
  })

  it('reads a user file with the CPU columns as CPU rows', () => {
    const file = userFile(
      [
        'microarchitecture,vendor,domestic,arch,label_keys,pattern,fp64_flop_per_cycle_per_core,fp32_flop_per_cycle_per_core,assumed_ghz,confidence,source',
        'Hygon C86-4G,Hygon,true,^amd64$,node.example.com/cpu,^c86-4g$,16,32,2.7,low,operator',
      ].join('\n'),
    )
    const node = toContractNode(readFixtureNode('kwok-plain-cpu-node.yaml'), { labels: { 'node.example.com/cpu': 'C86-4G' } })
    const catalog = loadCatalog({ userFile: file })
    expect(catalog.wantsLabel('node.example.com/cpu')).toBe(true)
    const c = catalog.classifyNode(node)
    expect(c.cpu).toMatchObject({ vendor: 'Hygon', model: 'Hygon C86-4G', domestic: true, ghzAssumed: true, confidence: 'low' })
    expect(c.cpu.figures.fp32).toBeCloseTo((32 * 2.7 * 32) / 1000, 12)
  })

  it.each([
    [
      'a value that is not a number',
      `${DEVICE_HEADER}\nX,Y,GPU,false,x.com/y,,,fast,,low,s\n`,
      'CATALOG_INVALID_VALUE',
      2,
      'fp32_tflops',
      /must be a number, not "fast"/,
    ],
    ['an unknown kind', `${DEVICE_HEADER}\nX,Y,TPU,false,x.com/y,,,,,low,s\n`, 'CATALOG_INVALID_VALUE', 2, 'kind', /GPU, NPU, DCU, XPU/],
    [
      'a bad regular expression',
      `${DEVICE_HEADER}\nX,Y,GPU,false,x.com/y,a.b/c,([,,,low,s\n`,
      'CATALOG_INVALID_VALUE',
      2,
      'pattern',
      /regular expression/,
    ],
    [
      'a pattern with no label keys',
      `${DEVICE_HEADER}\nX,Y,GPU,false,x.com/y,,A1,,,low,s\n`,
      'CATALOG_INVALID_VALUE',
      2,
      'label_keys',
      /required/,
    ],
    ['a missing source', `${DEVICE_HEADER}\n\nX,Y,GPU,false,x.com/y,,,,,low,\n`, 'CATALOG_INVALID_VALUE', 3, 'source', /must not be empty/],
    ['a negative figure', `${DEVICE_HEADER}\nX,Y,GPU,false,x.com/y,,,-1,,low,s\n`, 'CATALOG_INVALID_VALUE', 2, 'fp32_tflops', /at least 0/],
    ['a misspelt column', 'vendor,modle\n', 'CATALOG_UNKNOWN_COLUMN', 1, 'modle', /unknown column/],
    ['a missing required column', 'vendor,model,kind\n', 'CATALOG_MISSING_COLUMN', 1, 'domestic', /required column/],
    [
      'a row with an unquoted comma',
      `${DEVICE_HEADER}\nX,Y,GPU,false,x.com/y,,,,,low,a, b\n`,
      'CATALOG_CSV_SYNTAX',
      2,
      '#12',
      /12 fields but the header has 11/,
    ],
    ['an unterminated quote', `${DEVICE_HEADER}\nX,"Y,GPU\n`, 'CATALOG_CSV_SYNTAX', 2, 'character 3', /never closed/],
  ])('rejects a user file with %s, naming file, line and column', (_, text, code, line, column, message) => {
    const file = userFile(text)
    const error = loadError(file)
    expect(error).toMatchObject({ code, file, line, column })
    expect(error.message).toContain(`${file}, line ${line}, column ${column}: `)
    expect(error.message).toMatch(message)
  })

  it('rejects a user file that cannot be read, naming it', () => {
    const file = join(dir, 'missing.csv')
    const error = loadError(file)
    expect(error.code).toBe('CATALOG_FILE_UNREADABLE')
    expect(error.message).toContain(file)
    expect(error.cause).toBeInstanceOf(Error)
  })
})
