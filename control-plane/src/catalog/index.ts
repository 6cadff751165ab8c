export { createCatalog, MAX_MEMOIZED_SHAPES } from './classify'
export { CatalogError, type CatalogErrorCode } from './errors'
export { catalogVersion, type LoadCatalogOptions, loadCatalog } from './load'
export { isNonCompute, NON_COMPUTE_RESOURCES } from './non-compute'
export { parseCatalogCsv } from './rows'
export type {
  AcceleratorClass,
  AcceleratorKind,
  Catalog,
  CpuClass,
  CpuEntry,
  DeviceEntry,
  DeviceFigures,
  NodeClassification,
} from './types'
