import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCsv, parseCsvRecords, readCsvRecords } from './csv'

function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n')
}

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks', () => {
    const text = 'a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",\n'
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ])
  })

  it('accepts CRLF and no trailing newline', () => {
    expect(parseCsv('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(SyntaxError)
  })

  it('round-trips any table written the RFC 4180 way', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', '中') })
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toEqual(rows)
      }),
    )
  })
})

describe('parseCsvRecords', () => {
  it('keys rows by the header and fills missing cells', () => {
    expect(parseCsvRecords('\uFEFFk,v\n1\n')).toEqual([{ k: '1', v: '' }])
  })

  it('reads the shipped province table: 31 divisions plus XPCC', () => {
    const rows = readCsvRecords(new URL('../../../data/provinces.csv', import.meta.url))
    expect(rows).toHaveLength(32)
    expect(rows.every((r) => /^\d{6}$/.test(r.code ?? ''))).toBe(true)
    expect(rows.find((r) => r.code === '110000')?.name_zh).toBe('北京市')
  })
})
