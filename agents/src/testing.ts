// Test support for cross-package suites: stand-ins for what cannot run here (a Kubernetes API
// server) and the real fixture objects. Not part of the agent's runtime entry point.
export {
  type FakeDispatchControlPlane,
  type FakeEndpointMode,
  type FakeStatusReport,
  startFakeDispatchControlPlane,
} from './dispatch/fake-dispatch-control-plane'
export {
  type FakeKubeApi,
  type FakeKubeApiOptions,
  type FakeKubeApply,
  type FakeKubeDelete,
  type FakeKubeObjects,
  type FakeKubeRequest,
  type FakeStoredObject,
  type FakeWorkloadKind,
  startFakeKubeApi,
} from './kube/fake-api-server'
export {
  AGENT_FIXTURES_DIR,
  loadFixtureCsiStorageCapacities,
  loadFixtureNodeMetrics,
  loadFixtureNodes,
  loadKubeObjects,
} from './kube/fixtures'
