// The OBM (BMC) driver package: the interface, the registry, the drivers and the console hub. See docs/drivers.md.
export type { BootDevice, ConsoleSession, ObmConfig, ObmCredentials, ObmDriver, PowerState } from './obm-driver.js';
export { ObmError, isObmError, type ObmErrorCode } from './errors.js';
export { validateBmc, HOST_PATTERN, USERNAME_PATTERN } from './validate.js';
export { createObmRegistry, defaultObmRegistry, type ObmRegistry } from './registry.js';
export { IpmiObmDriver, type IpmiDriverOptions } from './ipmi/ipmi-driver.js';
export { MockObmDriver, MockBmc, type MockBmcKnobs, type MockObmDriverOptions } from './mock/mock-driver.js';
export { ConsoleHub, type ConsoleTarget, type ConsoleReader } from './console-hub.js';
export { ObmdObmDriver, validateObmd, OBMD_TOKEN_PATTERN, type ObmdDriverOptions } from './obmd/obmd-driver.js';
