/** Integrator API keys: a new key is shown once; keys can be revoked. */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { describeError } from '../errors.js';
import { dateTime } from '../format.js';
import type { ApiKeyView } from '../types.js';

export function ApiKeys({ api }: { api: ApiClient }) {
  const [keys, setKeys] = useState<ApiKeyView[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const reload = () => api.request<ApiKeyView[]>('GET', '/api-keys').then(setKeys).catch((err: unknown) => setError(describeError(err)));
  useEffect(() => void reload(), [api]);
  return (
    <section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <th scope="row">{k.name}</th>
              <td>{dateTime(k.createdAt)}</td>
              <td>
                <button type="button" aria-label={`Revoke key ${k.name}`} onClick={() => void api.request('DELETE', `/api-keys/${k.id}`).then(reload, (err: unknown) => setError(describeError(err)))}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api
            .request<ApiKeyView & { key: string }>('POST', '/api-keys', { name: name.trim() })
            .then((k) => {
              setCreated(k.key);
              setName('');
              return reload();
            })
            .catch((err: unknown) => setError(describeError(err)));
        }}
      >
        <label for="key-name">New key name</label>
        <input id="key-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Create key</button>
      </form>
      {created && (
        <p class="info" role="status">
          New key (copy it now, it is not shown again): <code data-testid="new-key">{created}</code>
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
