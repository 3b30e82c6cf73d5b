// Building blocks of test fixtures: hil.io objects, mock-BMC nodes cabled to Ports, HTTP Basic credentials.

export const G = '/apis/hil.io/v1alpha1';

/** A hil.io/v1alpha1 object of `kind`. */
export const hilObject = (
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
  ...extra,
});

/** A Node with a mock BMC (host bmc-NAME) whose NICs eth0, eth1, … are cabled to `ports`. */
export const mockNode = (name: string, project: string, ports: string[]) =>
  hilObject('Node', name, {
    project,
    obm: { type: 'mock', host: `bmc-${name}` },
    nics: ports.map((p, i) => ({ name: `eth${i}`, port: p })),
  });

/** The Authorization header of HTTP Basic. */
export const basicAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
