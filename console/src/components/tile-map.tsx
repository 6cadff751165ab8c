import type { LedgerGroup, Province } from '@suanpan/control-plane/schemas'
import { type KeyboardEvent, useRef } from 'react'
import { isMessageKey, useI18n } from '../i18n'
import { binsFor, colourFor, NO_DATA, textOn } from '../lib/colour-scale'
import { displayUnit, formatBare, formatMeasure, type MapMeasureId, MEASURES } from '../lib/measures'
import { type Direction, neighbour, TILE_COLS, TILE_GRID, TILE_ROWS, type TilePosition } from '../lib/tile-grid'

export interface TileMapProps {
  groups: readonly LedgerGroup[]
  provinces: readonly Province[]
  measure: MapMeasureId
  selected: string | null
  onSelect(code: string): void
}

const ARROWS: Readonly<Record<string, Direction>> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' }

/**
 * The 32 provincial divisions as equal tiles on a fixed grid (lib/tile-grid.ts), coloured by a measure.
 * One tile is in the tab order at a time; arrow keys move between tiles, Enter or Space drills down.
 */
export function TileMap({ groups, provinces, measure, selected, onSelect }: TileMapProps) {
  const { t, f, locale } = useI18n()
  const m = MEASURES[measure]
  const byCode = new Map(groups.map((g) => [g.key.province ?? '', g]))
  const names = new Map(provinces.map((p) => [p.code, locale === 'zh-CN' ? p.nameZh : p.nameEn]))
  const values = TILE_GRID.map((tile) => {
    const g = byCode.get(tile.code)
    return g ? m.value(g) : null
  })
  const bins = binsFor(values.filter((v): v is number => v !== null))
  const buttons = useRef(new Map<string, HTMLButtonElement>())
  const focusable = selected && byCode.has(selected) ? selected : (TILE_GRID[0]?.code ?? '')
  const measureName = t(`measure.${measure}`)
  const unit = displayUnit(m.format)

  const move = (from: TilePosition, event: KeyboardEvent<HTMLButtonElement>) => {
    const direction = ARROWS[event.key]
    if (!direction) return
    event.preventDefault()
    const next = neighbour(from, direction)
    if (!next) return
    const el = buttons.current.get(next.code)
    if (!el) return
    for (const b of buttons.current.values()) b.tabIndex = -1
    el.tabIndex = 0
    el.focus()
  }

  return (
    <div className="tile-map">
      <p className="note" id="tile-map-help">
        {t('map.help')}
      </p>
      <ul
        className="tile-grid"
        aria-label={t('map.label', { measure: measureName })}
        aria-describedby="tile-map-help"
        style={{ gridTemplateColumns: `repeat(${TILE_COLS}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${TILE_ROWS}, auto)` }}
      >
        {TILE_GRID.map((tile, i) => {
          const name = names.get(tile.code) ?? tile.code
          const shortKey = `province.short.${tile.code}`
          const short = isMessageKey(shortKey) ? t(shortKey) : name
          const value = values[i] ?? null
          const background = colourFor(value, bins)
          const text = formatMeasure(m.format, value, f)
          const hasData = byCode.has(tile.code)
          return (
            <li key={tile.code} style={{ gridRow: tile.row + 1, gridColumn: tile.col + 1 }}>
              <button
                type="button"
                ref={(el) => {
                  if (el) buttons.current.set(tile.code, el)
                  else buttons.current.delete(tile.code)
                }}
                className={`tile${selected === tile.code ? ' tile-selected' : ''}${hasData ? '' : ' tile-empty'}`}
                style={{ background, color: textOn(background) }}
                tabIndex={tile.code === focusable ? 0 : -1}
                aria-current={selected === tile.code ? 'true' : undefined}
                aria-label={t('map.tile', { name, measure: measureName, value: hasData ? text : t('map.noData') })}
                title={`${name}: ${text}`}
                data-testid={`tile-${tile.code}`}
                data-value={value ?? ''}
                onClick={() => onSelect(tile.code)}
                onKeyDown={(event) => move(tile, event)}
              >
                <span className="tile-name">{short}</span>
                <span className="tile-value">{hasData ? formatBare(m.format, value, f) : f.missing}</span>
              </button>
            </li>
          )
        })}
      </ul>
      <ul className="legend" aria-label={t('map.legend', { measure: measureName })}>
        <li className="legend-title">{unit ? t('csv.withUnit', { label: measureName, unit: t(unit) }) : measureName}</li>
        {bins.map((bin) => (
          <li key={bin.colour}>
            <i className="swatch" style={{ background: bin.colour }} aria-hidden="true" />
            {formatBare(m.format, bin.from, f)} – {formatBare(m.format, bin.to, f)}
          </li>
        ))}
        <li>
          <i className="swatch" style={{ background: NO_DATA }} aria-hidden="true" />
          {t('map.noData')}
        </li>
        {m.lowerIsBetter ? <li className="legend-note">{t('map.lowerIsBetter')}</li> : null}
      </ul>
    </div>
  )
}
