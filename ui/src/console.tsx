// A node's serial console in the browser: xterm.js fed by the nodes/NAME/console?follow=true stream (chunked HTTP,
// like pods/log; read-only). The server shares one SOL session per node among its readers and keeps the BMC's
// credentials to itself; leaving the page closes the stream, and the last reader leaving ends the session.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { ApiError, H, stream } from './api.js';

export function ConsolePage({ name }: { name: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [state, setState] = useState('connecting…');
  useEffect(() => {
    const term = new Terminal({ convertEol: true, disableStdin: true, rows: 30, cols: 110, scrollback: 5000 });
    term.open(el.current!);
    const ctl = new AbortController();
    setState('connecting…');
    stream(
      `${H}/nodes/${encodeURIComponent(name)}/console?follow=true`,
      ctl.signal,
      (text) => term.write(text),
      () => setState('connected (read-only)'),
    )
      .then(() => setState('the console stream ended'))
      .catch((err) => {
        if (!ctl.signal.aborted) setState(err instanceof ApiError ? err.describe() : String(err));
      });
    return () => {
      ctl.abort();
      term.dispose();
    };
  }, [name]);
  return (
    <section>
      <div class="toolbar">
        <h2>
          <a href={`#/nodes/${encodeURIComponent(name)}`}>{name}</a> / serial console
        </h2>
        <span class="status" data-testid="console-state">
          {state}
        </span>
      </div>
      <div class="terminal" ref={el} data-testid="terminal" />
    </section>
  );
}
