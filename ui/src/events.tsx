// The Events feed: every Event the caller may see (members: their projects'), live, filterable by type and text.
import { useState } from 'preact/hooks';
import { useLive } from './api.js';
import { EventTable } from './nodes.js';

export function EventsFeed() {
  const events = useLive('/api/v1/events');
  const [text, setText] = useState('');
  const [type, setType] = useState('');
  const q = text.toLowerCase();
  const shown = events.items.filter(
    (e) =>
      (!type || e.type === type) &&
      (!q ||
        [e.involvedObject?.kind, e.involvedObject?.name, e.reason, e.message]
          .filter(Boolean)
          .some((s) => String(s).toLowerCase().includes(q))),
  );
  return (
    <section>
      <div class="toolbar">
        <h2>Events</h2>
        <select data-testid="events-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">all types</option>
          <option value="Normal">Normal</option>
          <option value="Warning">Warning</option>
        </select>
        <input
          data-testid="events-filter"
          placeholder="filter: object, reason, message"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <span>
          {shown.length} of {events.items.length}
        </span>
      </div>
      {events.error && <p class="error">{events.error.describe()}</p>}
      <EventTable events={shown} />
    </section>
  );
}
