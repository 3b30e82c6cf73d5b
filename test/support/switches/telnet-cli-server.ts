// The telnet side of the switch emulators: a TCP server on 127.0.0.1 that does a switch's option negotiation (it
// offers to echo and to suppress go-ahead, asks for the window size and terminal type, which our client refuses),
// then runs the same emulated shell as the SSH server, with the switch's own `User Name:`/`Password:` login in the
// stream. A connection over the session limit is told the vendor's `busy` line and closed.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ECHO, NAWS, SGA, TelnetCodec, TTYPE } from '../../../drivers/switch/cli/telnet-transport.js';
import type { ShellHost } from './cli-shell.js';

/** A switch's side: it echoes and suppresses go-ahead; it would take the peer's SGA. */
const SERVER_POLICY = { local: [ECHO, SGA], remote: [SGA] };

export class TelnetCliServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** The negotiation of every connection so far, in order (`recv DO 1`, `sent WILL 1`…). */
  readonly negotiations: string[][] = [];

  constructor(readonly host: ShellHost) {
    this.server = createServer((socket) => this.accept(socket));
  }

  get address(): string {
    return `telnet://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Drops every telnet connection, as a switch's idle timeout (exec-timeout) does; keeps listening. */
  hangUp(): void {
    for (const s of this.sockets) s.end();
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const codec = new TelnetCodec(SERVER_POLICY);
    if (!this.host.acquire()) {
      const busy = this.host.interpreter.busy;
      // Read on, so that the caller's close is seen and the socket goes away.
      socket.resume();
      socket.end(busy ? codec.encode(`${busy}\r\n`) : '', () => socket.destroy());
      return;
    }
    this.sockets.add(socket);
    this.negotiations.push(codec.negotiation);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.host.release();
    });
    socket.write(Buffer.concat([codec.offer(ECHO), codec.offer(SGA), codec.ask(NAWS), codec.ask(TTYPE)]));
    const listeners: ((text: string) => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      const { data, reply } = codec.receive(chunk);
      if (reply.length) socket.write(reply);
      if (data.length) for (const l of listeners) l(data.toString('utf8'));
    });
    void this.host.run(
      {
        write: (text) => {
          if (socket.writable) socket.write(codec.encode(text));
        },
        onData: (listener) => listeners.push(listener),
        hangup: () => socket.end(),
      },
      true,
    );
  }
}
