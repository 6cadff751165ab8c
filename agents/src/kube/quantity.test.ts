import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { bytes, cpuToMillis, parseQuantity, QuantityError, quantityValue } from './quantity'

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

// Every quantity shape that occurs in the fixtures (agents/fixtures, copied from /fixtures), with
// its exact value; the comment names the file it comes from.
const FIXTURE_QUANTITIES: ReadonlyArray<[string | number, number]> = [
  [32, 32], // kwok-plain-cpu-node.yaml `cpu: 32` (YAML number)
  [110, 110], // kwok-plain-cpu-node.yaml `pods: 110`
  ['256Gi', 274_877_906_944], // kwok-plain-cpu-node.yaml memory
  ['1Ti', 1_099_511_627_776], // kwok-virtual-dgx-a100 memory
  ['15Ti', 16_492_674_416_640], // kwok-virtual-dgx-a100 ephemeral-storage
  ['256', 256], // kwok-virtual-dgx-a100 cpu (quoted)
  ['0', 0], // hugepages-1Gi / hugepages-2Mi
  ['8', 8], // nvidia.com/gpu
  [96, 96], // ascend-910 `cpu: 96`
  ['720Gi', 773_094_113_280], // ascend-910 memory
  [16, 16], // ascend-910c `huawei.com/Ascend910: 16`
  ['527938528Ki', 540_609_052_672], // cambricon memory capacity
  ['1872820260Ki', 1_917_767_946_240], // cambricon ephemeral-storage
  ['1726013007207', 1_726_013_007_207], // cambricon ephemeral-storage allocatable, plain bytes
  ['78083556Ki', 79_957_561_344], // rke2 A16 ephemeral-storage
  ['75959683218', 75_959_683_218], // rke2 A16 allocatable ephemeral-storage
  ['16367668Ki', 16_760_492_032], // rke2 A16 memory
  ['1900m', 1.9], // aks allocatable cpu
  ['8152800Ki', 8_348_467_200], // aks memory
  ['5497568Ki', 5_629_509_632], // aks allocatable memory
  ['129900528Ki', 133_018_140_672], // aks ephemeral-storage
  ['445199919616', 445_199_919_616], // csistoragecapacity-openebs-zfs.yaml capacity
  ['487558164n', 0.487558164], // metrics-k8s-io-nodemetrics-minikube.json cpu (nanocores)
  ['732212Ki', 749_785_088], // metrics-k8s-io-nodemetrics-minikube.json memory
  ['163760Mi', 171_714_805_760], // ascend-describe-node-excerpts.txt
  ['441969440446', 441_969_440_446], // ascend-describe-node-excerpts.txt
  ['1.5e+09', 1_500_000_000], // kube-state-metrics-node-capacity.prom sample values: signed exponent
  ['3e+09', 3_000_000_000],
  ['4.3', 4.3],
]

describe('parseQuantity', () => {
  it.each(FIXTURE_QUANTITIES)('reads the fixture quantity %j as %d', (q, expected) => {
    expect(parseQuantity(q)).toBe(expected)
  })

  it.each([
    ['1Ki', 1024],
    ['1Mi', 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1n', 1e-9],
    ['1u', 1e-6],
    ['1m', 0.001],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1e3', 1000],
    ['12E6', 12_000_000],
    ['129e6', 129_000_000],
    ['1e-3', 0.001],
    ['+5k', 5000],
    ['-2', -2],
    ['.5', 0.5],
    ['1.', 1],
    ['0.5Gi', 536_870_912],
    ['1.5Ki', 1536],
  ] as const)('reads %s as %d', (q, expected) => {
    expect(parseQuantity(q)).toBe(expected)
  })

  it('reads numbers YAML made of unquoted quantities', () => {
    const node = parseYaml('cpu: 32\nmemory: 1e9\nratio: 0.5\n') as Record<string, number>
    expect(typeof node.cpu).toBe('number')
    expect(parseQuantity(node.cpu ?? Number.NaN)).toBe(32)
    expect(bytes(node.memory ?? Number.NaN)).toBe(1_000_000_000)
    expect(cpuToMillis(node.ratio ?? Number.NaN)).toBe(500)
  })

  it.each([
    ['', /empty/],
    ['abc', /"abc"/],
    ['1K', /lower-case "k"/],
    ['1GB', /not "GB"/],
    ['10Gb', /trailing "B"/],
    ['1gi', /capitalised/],
    [' 1', /spaces/],
    ['1 Gi', /no space/],
    ['1e', /digits after "e"/],
    ['1.2.3', /"1\.2\.3"/],
    ['.', /"\."/],
    ['1e1.5', /"1e1\.5"/],
    ['0x10', /"0x10"/],
    ['1e400', /too large/],
  ])('rejects %j with an error naming the value', (q, message) => {
    expect(() => parseQuantity(q)).toThrow(QuantityError)
    expect(() => parseQuantity(q)).toThrow(message)
  })

  it('rejects NaN, Infinity and non-strings with a clear error', () => {
    expect(() => parseQuantity(Number.NaN)).toThrow(/NaN: not a finite number/)
    expect(() => parseQuantity(Number.POSITIVE_INFINITY)).toThrow(/Infinity/)
    expect(() => parseQuantity(null as unknown as string)).toThrow(/of type null/)
  })

  it('carries a stable code and the offending value', () => {
    const error = (() => {
      try {
        parseQuantity('12 cores')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(QuantityError)
    expect(error).toMatchObject({ code: 'INVALID_QUANTITY', value: '12 cores' })
  })
})

describe('cpuToMillis', () => {
  it.each([
    ['1900m', 1900],
    ['2', 2000],
    [32, 32_000],
    ['0.1', 100],
    [0.1, 100],
    ['250m', 250],
    ['487558164n', 488], // rounded up like Quantity.MilliValue() and `kubectl top`
    ['1u', 1],
    ['0', 0],
    ['4.3', 4300],
  ] as const)('%j is %d millicores', (q, expected) => {
    expect(cpuToMillis(q)).toBe(expected)
  })
})

describe('bytes and quantityValue', () => {
  it.each([
    ['732212Ki', 749_785_088],
    ['0.1Gi', 107_374_183], // 107374182.4 rounded up like Quantity.Value()
    ['1e3', 1000],
    ['1M', 1_000_000],
    ['1Mi', 1_048_576],
    ['500m', 1],
    ['-1.5', -1],
  ] as const)('%j is %d', (q, expected) => {
    expect(bytes(q)).toBe(expected)
    expect(quantityValue(q)).toBe(expected)
  })
})

// A scan of the fixture files themselves, so a new fixture with a new quantity shape is covered.
async function fixtureQuantities(): Promise<Array<{ file: string; value: unknown }>> {
  const found: Array<{ file: string; value: unknown }> = []
  const collect = (file: string, value: unknown, key?: string): void => {
    if (Array.isArray(value)) for (const item of value) collect(file, item)
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if ((k === 'capacity' || k === 'allocatable' || k === 'usage') && v !== null && typeof v === 'object') {
          for (const q of Object.values(v)) found.push({ file, value: q })
        } else collect(file, v, k)
      }
    } else if (key === 'capacity') found.push({ file, value })
  }
  for (const dir of ['nodes', 'storage', 'metrics']) {
    for (const name of await readdir(join(FIXTURES, dir))) {
      const path = join(FIXTURES, dir, name)
      const file = `${dir}/${name}`
      if (name.endsWith('.source.txt')) continue
      const text = await readFile(path, 'utf8')
      if (name.endsWith('.json')) collect(file, JSON.parse(text))
      else if (name.endsWith('.yaml')) collect(file, parseYaml(text))
      else if (name.endsWith('.txt')) {
        // `kubectl describe node` excerpts: "  cpu:   72", "  ephemeral-storage:  479567536Ki"
        for (const m of text.matchAll(/^\s+[a-z][\w./-]*:\s+(\d[\w.+-]*)/gm)) found.push({ file, value: m[1] })
      }
    }
  }
  return found
}

describe('quantities in agents/fixtures', () => {
  it('every capacity, allocatable and usage quantity in every fixture file parses to a finite, non-negative number', async () => {
    const found = await fixtureQuantities()
    expect(found.length).toBeGreaterThan(100)
    expect(new Set(found.map((f) => f.file)).size).toBeGreaterThanOrEqual(9)
    for (const { file, value } of found) {
      expect(typeof value === 'string' || typeof value === 'number', `${file}: ${String(value)}`).toBe(true)
      const parsed = parseQuantity(value as string | number)
      expect(Number.isFinite(parsed) && parsed >= 0, `${file}: ${String(value)}`).toBe(true)
    }
  })
})
