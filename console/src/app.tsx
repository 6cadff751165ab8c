import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import ConfigProvider from 'antd/es/config-provider'
import enUS from 'antd/es/locale/en_US'
import zhCN from 'antd/es/locale/zh_CN'
import { lazy } from 'react'
import { createBrowserRouter, RouterProvider } from 'react-router'
import { ApiError } from './api/client'
import { AppShell } from './components/app-shell'
import { I18nProvider, useI18n } from './i18n'
import { sessionSnapshot, subscribeSession } from './lib/session'
import { theme } from './theme'

// One chunk per page: the first route loads only the shell and the overview.
const OverviewPage = lazy(() => import('./pages/overview-page'))
const LedgerPage = lazy(() => import('./pages/ledger-page'))
const UtilizationPage = lazy(() => import('./pages/utilization-page'))
const EnergyPage = lazy(() => import('./pages/energy-page'))
const CensusPage = lazy(() => import('./pages/census-page'))
const CensusReportPage = lazy(() => import('./pages/census-report-page'))
const CensusComparePage = lazy(() => import('./pages/census-compare-page'))
const AuditPage = lazy(() => import('./pages/audit-page'))
const SchedulingPage = lazy(() => import('./pages/scheduling-page'))
const DrillsPage = lazy(() => import('./pages/drills-page'))
const NotFoundPage = lazy(() => import('./pages/not-found-page'))

const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'ledger', element: <LedgerPage /> },
      { path: 'utilization', element: <UtilizationPage /> },
      { path: 'energy', element: <EnergyPage /> },
      { path: 'census', element: <CensusPage /> },
      { path: 'census/compare', element: <CensusComparePage /> },
      { path: 'census/:id', element: <CensusReportPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: 'scheduling', element: <SchedulingPage /> },
      { path: 'drills', element: <DrillsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
])

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change on retry (a missing route, a bad filter); a network error or 5xx might.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
})

// Another user signed in, or signed out: every answer fetched before is theirs (a provincial administrator
// sees only its province), so all of it is dropped and what is on screen is fetched again.
let sessionVersion = sessionSnapshot().version
subscribeSession(() => {
  const { version } = sessionSnapshot()
  if (version === sessionVersion) return
  sessionVersion = version
  void queryClient.resetQueries()
})

function Localized() {
  const { locale } = useI18n()
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme}>
      <RouterProvider router={router} />
    </ConfigProvider>
  )
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Localized />
      </I18nProvider>
    </QueryClientProvider>
  )
}
