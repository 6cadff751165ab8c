import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CsvSyntaxError, formatCsvField, parseCsv } from './csv'

const fields = (text: string) => parseCsv(text).map((r) => r.fields)

describe('parseCsv', () => {
  it('splits records and fields, with or without a trailing newline', () => {
    expect(fields('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(fields('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    expect(fields('x,"a, ""b""\nc",y\n')).toEqual([['x', 'a, "b"\nc', 'y']])
  })

  it('keeps empty fields, quoted or not, at any position', () => {
    expect(fields(',"",x,\n')).toEqual([['', '', 'x', '']])
    expect(fields('""\n')).toEqual([['']])
  })

  it('skips blank lines and a byte order mark, and numbers records by the line they start on', () => {
    const records = parseCsv('\uFEFFh\n\n"multi\nline"\nlast\n')
    expect(records).toEqual([
      { line: 1, fields: ['h'] },
      { line: 3, fields: ['multi\nline'] },
      { line: 5, fields: ['last'] },
    ])
  })

  it.each([
    ['a,b"c\n', 1, 4, /quote inside an unquoted field/],
    ['ok\n"ab"c,d\n', 2, 5, /text after a closing quote/],
    ['h\nx,"never\nclosed\n', 2, 3, /never closed/],
  ])('rejects %j at line %i, character %i', (text, line, column, message) => {
    let error: unknown
    try {
      parseCsv(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CsvSyntaxError)
    expect(error).toMatchObject({ line, column })
    expect((error as Error).message).toMatch(message)
  })

  it('reads back whatever formatCsvField writes (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', '\r\n', 'é') })
    const record = fc.array(field, { minLength: 1, maxLength: 5 })
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), (records) => {
        const text = records.map((r) => r.map(formatCsvField).join(',')).join('\n')
        expect(fields(text)).toEqual(records)
      }),
    )
  })

  it('never throws anything but CsvSyntaxError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r') }), (text) => {
        try {
          parseCsv(text)
        } catch (e) {
          expect(e).toBeInstanceOf(CsvSyntaxError)
        }
      }),
    )
  })
})
