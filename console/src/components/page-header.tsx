import type { ReactNode } from 'react'
import { useDocumentTitle } from '../i18n'

export interface PageHeaderProps {
  title: string
  description?: ReactNode
  extra?: ReactNode
}

export function PageHeader({ title, description, extra }: PageHeaderProps) {
  useDocumentTitle(title)
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {extra ? <div className="page-header-extra">{extra}</div> : null}
    </div>
  )
}

export function Section({ title, extra, children, id }: { title: string; extra?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {extra ? <div className="panel-extra">{extra}</div> : null}
      </div>
      {children}
    </section>
  )
}
