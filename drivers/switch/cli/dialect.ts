// A CLI dialect: everything that differs between two vendors' command lines, as data. The generic CLI driver
// (cli-driver.ts) and the session engine (cli-session.ts) read nothing else; adding a vendor is adding a file to
// dialects/ (see docs/drivers.md). Templates get validated values only: port names that matched
// `interfacePattern`, VLAN ids that are integers 1–4094 (or the parking VLAN).
import { parseVlanList as parseVlans } from '../../../api/v1alpha1/vlans.js';
import type { ObservedPort } from '../switch-driver.js';

/** The state to give one port, after validation (`native` undefined: none). */
export interface PortTarget {
  readonly native: number | undefined;
  readonly tagged: readonly number[];
}

export interface CliDialect {
  /** The `Switch.spec.type` this dialect serves. */
  readonly type: string;
  /** The switches it is meant for, in words (docs, error messages). */
  readonly description: string;
  /**
   * How the switch is reached: `ssh` (`ssh://HOST[:PORT]` or a bare host) and/or `telnet` (`telnet://HOST[:PORT]`,
   * for switches and sites without SSH; the password crosses the wire in the clear).
   */
  readonly transports: readonly ('ssh' | 'telnet')[];
  /** Port names on this switch (checked on top of the common pattern). */
  readonly interfacePattern: RegExp;
  /** How a port with no network is made to reach nothing (DESIGN §7). */
  readonly parking: 'shutdown' | 'vlan';
  /**
   * For `parking: 'vlan'`: the option naming the parking VLAN (HIL's `dummy_vlan`). It has no default: the VLAN must
   * be set up on the switch first (created and shut), so the admin names it.
   */
  readonly parkingVlanOption?: string;
  /** The highest VLAN id the switch takes, when below 4094 (DNOS 6: 4093); a higher one is refused before sending. */
  readonly maxVlan?: number;
  /** Options besides the common ones (`hostKeyFingerprint`), with their patterns. */
  readonly options: Readonly<Record<string, { pattern: RegExp; default?: string }>>;

  /**
   * How long the switch may take to answer (ms), sized from the vendor's documented and observed behaviour (see
   * docs/drivers.md "Timeouts"): `login` from the TCP connect to the privileged prompt, paging off included;
   * `command` for each line (a `show` of one port, a config line); `save` for copying running to startup config,
   * which writes flash. A smaller `SwitchConfig.timeoutMs` (the controller's `--driver-timeout`) caps each.
   */
  readonly timeouts: { readonly loginMs: number; readonly commandMs: number; readonly saveMs: number };
  /** Session set-up and prompts. */
  readonly login: {
    /** A user-name prompt some switches show inside the shell after the SSH login (PowerConnect: `User Name:`). */
    readonly usernamePrompt: RegExp;
    readonly passwordPrompt: RegExp;
    /** The command that raises the privilege from `>` to `#`. */
    readonly enable: string;
  };
  /** Paging: commands that turn it off for the session (may be none), and the pager's prompt with its answer. */
  readonly paging: { readonly disable: readonly string[]; readonly more: RegExp; readonly answer: string };
  /** Output that means the switch refused the command; the reply's lines are the error's message. */
  readonly errors: readonly RegExp[];
  /** Questions the switch may ask in the middle of a command, and the answer to give. */
  readonly confirmations: readonly { readonly prompt: RegExp; readonly answer: string; readonly enter: boolean }[];

  readonly commands: {
    /** Enter config mode from privileged exec. */
    readonly configure: string;
    /** Back to privileged exec from any config mode. */
    readonly end: string;
    /** Enter one interface's config mode. */
    readonly interface: (port: string) => string;
    /** Leave interface mode back to config mode. */
    readonly exitInterface: string;
    /** Lines (in config mode) making sure these VLANs exist in the VLAN database; back in config mode after. */
    readonly createVlans: (vlans: readonly number[]) => string[];
    /** Lines (in interface mode) taking the port from `observed` to `target`; a target with no VLAN parks it. */
    readonly setPort: (target: PortTarget, observed: ObservedPort, parkingVlan: number | undefined) => string[];
    /** Read one port back (privileged exec). */
    readonly readPort: (port: string) => string;
    /** Copy running to startup config (privileged exec). */
    readonly save: string;
  };
  /** Output of `save` that says it worked. */
  readonly saved: RegExp;
  /** An error reply to `readPort` meaning the switch has no such port. */
  readonly unknownPort: RegExp;
  /** The port's state from the output of `readPort`. */
  readonly parsePort: (port: string, output: string, parkingVlan: number | undefined) => ObservedPort;
}

/** `[101, 102, 103, 200]` → `101-103,200`: the VLAN-list syntax every dialect here accepts (the API's own form). */
export function vlanList(vlans: Iterable<number>): string {
  return parseVlans([...vlans].map(String)).toString();
}

/** `101-103,200` → `[101, 102, 103, 200]`; undefined when the text is not a VLAN list. */
export function parseVlanList(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part.trim());
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 4094 || to < from) return undefined;
    for (let v = from; v <= to; v++) out.push(v);
  }
  return out;
}
