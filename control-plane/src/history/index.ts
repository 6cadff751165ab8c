export { replayHistory } from './replay'
export { bucketStart, type HistorySample, sampleClusters } from './sample'
export { HistoryStore } from './store'
export { VictoriaHistory } from './victoria'
