import Result from 'antd/es/result'
import { Link } from 'react-router'
import { PageHeader } from '../components/page-header'
import { useI18n } from '../i18n'

export default function NotFoundPage() {
  const { t } = useI18n()
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <Result status="404" subTitle={t('notFound.text')} extra={<Link to="/">{t('notFound.home')}</Link>} />
    </>
  )
}
