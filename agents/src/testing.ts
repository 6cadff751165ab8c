// Test support for cross-package suites: stand-ins for what cannot run here (a Kubernetes API
// server) and the real fixture objects. Not part of the agent's runtime entry point.
export {
  type FakeKubeApi,
  type FakeKubeApiOptions,
  type FakeKubeObjects,
  type FakeKubeRequest,
  startFakeKubeApi,
} from './kube/fake-api-server'
export {
  AGENT_FIXTURES_DIR,
  loadFixtureCsiStorageCapacities,
  loadFixtureNodeMetrics,
  loadFixtureNodes,
  loadKubeObjects,
} from './kube/fixtures'
