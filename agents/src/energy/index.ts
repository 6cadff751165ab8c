export { EnergyFeedError, type EnergyFeedErrorCode, type EnergyFieldError, MIX_SUM_TOLERANCE, parseEnergy, parseEnergyText } from './feed'
export { createEnergySource, type EnergySource, type EnergySourceOptions } from './source'
