/**
 * The configuration as YAML: read from GET /config.yaml, saved with PUT /config (applied live).
 * A refused save lists each problem at its field path and keeps the text as typed.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, type ApiClient } from '../api.js';
import { describeError } from '../errors.js';
import type { FieldIssue } from '../types.js';

export function ConfigEditor({ api }: { api: ApiClient }) {
  const [text, setText] = useState<string | undefined>();
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const load = () =>
    api
      .text('/config.yaml')
      .then((t) => {
        setText(t);
        setIssues([]);
      })
      .catch((err: unknown) => setMessage({ error: true, text: describeError(err) }));
  useEffect(() => void load(), [api]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (text === undefined) return;
    setBusy(true);
    setMessage(undefined);
    setIssues([]);
    try {
      await api.request('PUT', '/config', text, 'application/yaml');
      setMessage({ error: false, text: 'Saved and applied.' });
    } catch (err) {
      if (err instanceof ApiFailure && err.issues.length > 0) setIssues(err.issues);
      setMessage({ error: true, text: err instanceof ApiFailure && err.code === 'VALIDATION_FAILED' ? 'Not saved: the configuration has errors (your text is kept).' : describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="config-title">
      <h2 id="config-title">Configuration</h2>
      <form onSubmit={save}>
        <label for="config-yaml">Configuration (YAML)</label>
        <textarea id="config-yaml" spellcheck={false} rows={28} value={text ?? ''} disabled={text === undefined} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="config-issues" />
        <div class="row">
          <button type="submit" disabled={busy || text === undefined}>
            {busy ? 'Saving…' : 'Save and apply'}
          </button>
          <button type="button" onClick={() => void load()}>
            Reload from server (discard my changes)
          </button>
        </div>
      </form>
      {message && (
        <p class={message.error ? 'error' : 'info'} role={message.error ? 'alert' : 'status'} data-testid="config-message">
          {message.text}
        </p>
      )}
      <ul id="config-issues" class="issues" data-testid="config-issues">
        {issues.map((i) => (
          <li key={`${i.path}:${i.message}`}>
            <code>{i.path}</code>: {i.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
