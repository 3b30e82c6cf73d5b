// The switch driver package: the interface, the registry and the shared helpers. See docs/drivers.md.
export type {
  ObservedPort,
  PortChange,
  PortResult,
  SwitchCapabilities,
  SwitchConfig,
  SwitchCredentials,
  SwitchDriver,
  SwitchSession,
} from './switch-driver.js';
export { SwitchError, isSwitchError, type SwitchErrorCode } from './errors.js';
export { createRegistry, defaultRegistry, driverFor, type DriverRegistry } from './registry.js';
export { changesNeeded, describePort, isRevert, parkedChange, portInSync } from './port-state.js';
export { MAX_PARKING_VLAN, MAX_VLAN, MIN_VLAN, validateChanges } from './validate.js';
export { MockSwitchDriver, type MockDriverOptions } from './mock/mock-driver.js';
export {
  MockFabric,
  MockSwitch,
  type MockCounters,
  type MockFault,
  type MockKnobs,
  type MockPortState,
} from './mock/mock-switch.js';
export { OvsSwitchDriver } from './ovs/ovs-driver.js';
export { LinuxBridgeSwitchDriver } from './linuxbridge/linuxbridge-driver.js';
