// The DR lab and failover drills (两地三中心, issue 5 §2, §3, §5): the programmatic API the CLI uses
// and the control plane can call later (the scheduled drills of §4 call runDrill with trigger 'scheduled').

// Printing a report to PDF uses the census's Chromium machinery (one browser at a time, bounded).
export { htmlToPdf } from '../census/export/pdf'
export {
  type DrillOptions,
  type DrillResult,
  engageKillSwitch,
  isScenario,
  KILL_SWITCH,
  NOT_YET,
  runDrill,
  SCENARIO_ALIASES,
  SCENARIOS,
  type ScenarioAlias,
  type ScenarioId,
  scenarioId,
} from './drills'
export { fitLevel, type GbtLevel, type LevelFit, loadLevels, parseBound, SEVEN_ELEMENTS } from './gbt20988'
export {
  backupInfo,
  type CenterStatus,
  type LabDownOptions,
  type LabStatus,
  type LabUpOptions,
  labDown,
  labStatus,
  labUp,
  missingEngines,
  type Progress,
  takeBackup,
} from './lab'
export { type Cut, type CutMode, type NetworkStatus, networkCut, networkHeal, networkStatus } from './network'
export { Probe, type ProbeTarget, type ProbeWrite, registerProbe } from './probe'
export {
  type DrillReport,
  type DrillTargets,
  listReports,
  loadReport,
  REPORT_SCHEMA,
  renderHtml,
  reportsDir,
  saveReport,
  type Trend,
  trends,
  type Verdict,
} from './report'
export {
  CENTERS,
  type CenterName,
  DEFAULT_LAB_DIR,
  FAST_TIMINGS,
  type LabState,
  labDir,
  type PatroniTimings,
  readState,
  requireState,
} from './state'
